// Proof of authority (clique-like, EIP-225 in spirit): any active manager named in genesis may
// seal a block. Fits the permissioned chain of super nodes in 001/002.
import { LedgerError } from '../errors.js';
import { getManager } from '../records.js';
import type { SealRule } from './rule.js';

export const poaSeal: SealRule = {
  name: 'poa',
  check(b, pre) {
    const m = getManager(pre, b.header.proposer);
    if (!m) throw new LedgerError('not_authorized', `proposer ${b.header.proposer} is not a manager`);
    if (m.status !== 'active') throw new LedgerError(m.status, `proposer ${b.header.proposer} is ${m.status}`);
  },
};

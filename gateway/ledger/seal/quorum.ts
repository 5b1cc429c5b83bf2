// BFLC committee consensus (002 §III): the header names the round's committee; the proposer is
// a member, and at least ⌈2n/3⌉ distinct members approve the block hash with their keys.
import { LedgerError } from '../errors.js';
import { requireActive } from '../records.js';
import { verifyKnown } from '../signer.js';
import { approvalSigningBytes } from '../block.js';
import type { SealRule } from './rule.js';

import { finalityQuorum } from '../../../protocol/block-signing.js';

export { finalityQuorum };

export const quorumSeal: SealRule = {
  name: 'quorum',
  check(b, pre, known) {
    const committee = b.header.cons.committee;
    if (!committee || committee.length === 0) throw new LedgerError('bad_consensus', 'committee block without a committee');
    if (new Set(committee).size !== committee.length) throw new LedgerError('bad_consensus', 'committee lists a member twice');
    if (!committee.includes(b.header.proposer)) throw new LedgerError('not_authorized', 'proposer is not in the committee');
    const keys = new Map(committee.map((id) => [id, requireActive(pre, id).publicKey]));
    const signed = new Set<string>();
    const msg = approvalSigningBytes(b.hash);
    for (const a of b.approvals) {
      const key = keys.get(a.id);
      if (!key) throw new LedgerError('bad_consensus', `approval from non-member ${a.id}`);
      if (signed.has(a.id)) throw new LedgerError('bad_consensus', `two approvals from ${a.id}`);
      if (!verifyKnown(known, key, msg, a.sig)) throw new LedgerError('bad_signature', `approval of ${a.id} does not verify`);
      signed.add(a.id);
    }
    const need = finalityQuorum(committee.length);
    if (signed.size < need) throw new LedgerError('bad_consensus', `${signed.size} approvals, ${need} needed`);
  },
};

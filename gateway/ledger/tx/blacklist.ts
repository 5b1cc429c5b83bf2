// Blacklisting / revocation (004: untrusted nodes' keys "updated to invalid status"). Marks a
// device's key revoked or blacklisted; afterwards every message from it is rejected.
import { LedgerError } from '../errors.js';
import { onlyKeys, str, MAX_TEXT } from '../fields.js';
import { K, put, getDevice } from '../records.js';
import type { TxKind } from './kind.js';

export interface BlacklistBody { target: string; status: 'blacklisted' | 'revoked'; reason: string }

export const blacklistKind: TxKind<BlacklistBody> = {
  type: 'blacklist',
  author: 'manager',
  decode(m) {
    onlyKeys(m, ['target', 'status', 'reason'], 'blacklist');
    const status = str(m, 'status', 16);
    if (status !== 'blacklisted' && status !== 'revoked') throw new LedgerError('malformed', 'status must be blacklisted or revoked');
    return { target: str(m, 'target'), status, reason: str(m, 'reason', MAX_TEXT, 0) };
  },
  encode: (b) => ({ ...b }),
  apply(s, tx) {
    const b = tx.body;
    const d = getDevice(s, b.target);
    if (!d) throw new LedgerError('not_found', `no device ${b.target}`);
    if (d.status !== 'active') throw new LedgerError('duplicate', `${b.target} is already ${d.status}`);
    put(s, K.device(b.target), { ...d, status: b.status });
  },
};

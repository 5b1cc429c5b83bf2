// Reputation update (003 Eq. 1-3, 004 miner reputation): adds a signed integer delta to a
// participant's reputation. The formula that computes the delta comes in a later issue.
import { LedgerError } from '../errors.js';
import { onlyKeys, int, str, MAX_TEXT } from '../fields.js';
import { K, put, identity, getReputation } from '../records.js';
import type { TxKind } from './kind.js';

export interface ReputationBody { who: string; delta: number; reason: string }

export const reputationKind: TxKind<ReputationBody> = {
  type: 'reputation',
  author: 'manager',
  once: true,
  decode(m) {
    onlyKeys(m, ['who', 'delta', 'reason'], 'reputation');
    return { who: str(m, 'who'), delta: int(m, 'delta'), reason: str(m, 'reason', MAX_TEXT, 0) };
  },
  encode: (b) => ({ ...b }),
  apply(s, tx) {
    const b = tx.body;
    if (!identity(s, b.who)) throw new LedgerError('unknown_author', `${b.who} is unknown`);
    const r = getReputation(s, b.who) + b.delta;
    if (!Number.isSafeInteger(r)) throw new LedgerError('malformed', 'reputation overflow');
    put(s, K.reputation(b.who), r);
  },
};

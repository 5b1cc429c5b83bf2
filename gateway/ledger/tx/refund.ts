// Deposit return (seed 004 (BC-FL) §III-B step 7): a winner whose results verified gets its
// remaining stake back. Only after selection, once per winner. Manager-authored.
import { LedgerError } from '../errors.js';
import { onlyKeys, str, MAX_TEXT } from '../fields.js';
import { K, put, requireTask, getBid, addBalance } from '../records.js';
import type { TxKind } from './kind.js';

export interface RefundBody { task: string; who: string; reason: string }

export const refundKind: TxKind<RefundBody> = {
  type: 'refund',
  author: 'manager',
  decode(m) {
    onlyKeys(m, ['task', 'who', 'reason'], 'refund');
    return { task: str(m, 'task'), who: str(m, 'who'), reason: str(m, 'reason', MAX_TEXT, 0) };
  },
  encode: (b) => ({ ...b }),
  apply(s, tx) {
    const b = tx.body;
    const task = requireTask(s, b.task);
    const bid = getBid(s, b.task, b.who);
    if (!bid) throw new LedgerError('not_found', `${b.who} did not bid on ${b.task}`);
    if (bid.status !== 'won') throw new LedgerError('duplicate', `stake of ${b.who} on ${b.task} is already settled (${bid.status})`);
    addBalance(s, b.who, bid.stake);
    put(s, K.bid(b.task, b.who), { ...bid, status: 'returned' });
  },
};

// Slashing (004 accountability): takes `amount` of a bidder's stake on a task into the task's
// pool, e.g. when its update failed verification. Manager-authored; once per content.
import { LedgerError } from '../errors.js';
import { onlyKeys, uint, str, MAX_TEXT } from '../fields.js';
import { K, put, getTask, type BidRecord } from '../records.js';
import type { TxKind } from './kind.js';

export interface SlashBody { task: string; who: string; amount: number; reason: string }

export const slashKind: TxKind<SlashBody> = {
  type: 'slash',
  author: 'manager',
  once: true,
  decode(m) {
    onlyKeys(m, ['task', 'who', 'amount', 'reason'], 'slash');
    return { task: str(m, 'task'), who: str(m, 'who'), amount: uint(m, 'amount'), reason: str(m, 'reason', MAX_TEXT, 0) };
  },
  encode: (b) => ({ ...b }),
  apply(s, tx) {
    const b = tx.body;
    const task = getTask(s, b.task);
    const bid = s.get(K.bid(b.task, b.who)) as BidRecord | undefined;
    if (!task || !bid) throw new LedgerError('not_found', `no stake of ${b.who} on ${b.task}`);
    if (bid.stake < b.amount) throw new LedgerError('insufficient_funds', `stake ${bid.stake} < ${b.amount}`);
    put(s, K.bid(b.task, b.who), { ...bid, stake: bid.stake - b.amount });
    put(s, K.task(b.task), { ...task, pool: task.pool + b.amount });
  },
};

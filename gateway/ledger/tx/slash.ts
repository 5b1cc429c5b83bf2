// Slashing (seed 004 (BC-FL) §III-B step 7: "untrusted nodes lose their deposit"): moves
// `amount` of a bidder's escrowed stake into the task's pool. Taking the whole stake forfeits
// it; a partial slash leaves the rest escrowed (a later refund returns it). Manager-authored;
// identical content is accepted once. Revoking the key is a separate blacklist transaction.
import { LedgerError } from '../errors.js';
import { onlyKeys, amount, str, MAX_TEXT } from '../fields.js';
import { K, put, getTask, getBid } from '../records.js';
import type { TxKind } from './kind.js';

export interface SlashBody { task: string; who: string; amount: number; reason: string }

export const slashKind: TxKind<SlashBody> = {
  type: 'slash',
  author: 'manager',
  once: true,
  decode(m) {
    onlyKeys(m, ['task', 'who', 'amount', 'reason'], 'slash');
    return { task: str(m, 'task'), who: str(m, 'who'), amount: amount(m, 'amount'), reason: str(m, 'reason', MAX_TEXT, 0) };
  },
  encode: (b) => ({ ...b }),
  apply(s, tx) {
    const b = tx.body;
    const task = getTask(s, b.task);
    const bid = getBid(s, b.task, b.who);
    if (!task || !bid) throw new LedgerError('not_found', `no stake of ${b.who} on ${b.task}`);
    if (bid.status !== 'bid' && bid.status !== 'won') throw new LedgerError('insufficient_funds', `stake of ${b.who} on ${b.task} is already settled (${bid.status})`);
    if (bid.stake < b.amount) throw new LedgerError('insufficient_funds', `stake ${bid.stake} < ${b.amount}`);
    const stake = bid.stake - b.amount;
    put(s, K.bid(b.task, b.who), { ...bid, stake, status: stake === 0 ? 'forfeited' : bid.status });
    put(s, K.task(b.task), { ...task, pool: task.pool + b.amount });
  },
};

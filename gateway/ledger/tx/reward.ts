// Reward (002 profit sharing, 003/004 incentives): pays `amount` from a task's reward pool to a
// participant, at most once per task, round and recipient (a payout of that round counts).
// Manager-authored; identical content is accepted once.
import { LedgerError } from '../errors.js';
import { onlyKeys, uint, amount, str, MAX_TEXT } from '../fields.js';
import { K, put, requireTask, addBalance, identity } from '../records.js';
import type { TxKind } from './kind.js';

export interface RewardBody { task: string; to: string; amount: number; round: number; reason: string }

export const rewardKind: TxKind<RewardBody> = {
  type: 'reward',
  author: 'manager',
  once: true,
  decode(m) {
    onlyKeys(m, ['task', 'to', 'amount', 'round', 'reason'], 'reward');
    return { task: str(m, 'task'), to: str(m, 'to'), amount: amount(m, 'amount'), round: uint(m, 'round'), reason: str(m, 'reason', MAX_TEXT, 0) };
  },
  encode: (b) => ({ ...b }),
  apply(s, tx, ctx) {
    const b = tx.body;
    const task = requireTask(s, b.task);
    if (task.status === 'closed') throw new LedgerError('task_closed', `task ${b.task} is closed`);
    if (task.pool < b.amount) throw new LedgerError('insufficient_funds', `pool ${task.pool} < ${b.amount}`);
    if (!identity(s, b.to)) throw new LedgerError('unknown_author', `recipient ${b.to} is unknown`);
    if (s.get(K.paid(b.task, b.round, b.to)) !== undefined) throw new LedgerError('duplicate', `${b.to} was already paid for round ${b.round} of ${b.task}`);
    s.set(K.paid(b.task, b.round, b.to), ctx.height);
    put(s, K.task(b.task), { ...task, pool: task.pool - b.amount });
    addBalance(s, b.to, b.amount);
  },
};

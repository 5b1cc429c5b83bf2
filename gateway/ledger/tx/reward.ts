// Reward (002 profit sharing, 003/004 incentives): pays `amount` from a task's deposit pool to a
// participant. Manager-authored; identical content is accepted once.
import { LedgerError } from '../errors.js';
import { onlyKeys, uint, str, MAX_TEXT } from '../fields.js';
import { K, put, getTask, addBalance, identity } from '../records.js';
import type { TxKind } from './kind.js';

export interface RewardBody { task: string; to: string; amount: number; round: number; reason: string }

export const rewardKind: TxKind<RewardBody> = {
  type: 'reward',
  author: 'manager',
  once: true,
  decode(m) {
    onlyKeys(m, ['task', 'to', 'amount', 'round', 'reason'], 'reward');
    return { task: str(m, 'task'), to: str(m, 'to'), amount: uint(m, 'amount'), round: uint(m, 'round'), reason: str(m, 'reason', MAX_TEXT, 0) };
  },
  encode: (b) => ({ ...b }),
  apply(s, tx) {
    const b = tx.body;
    const task = getTask(s, b.task);
    if (!task) throw new LedgerError('not_found', `no task ${b.task}`);
    if (task.pool < b.amount) throw new LedgerError('insufficient_funds', `pool ${task.pool} < ${b.amount}`);
    if (!identity(s, b.to)) throw new LedgerError('unknown_author', `recipient ${b.to} is unknown`);
    put(s, K.task(b.task), { ...task, pool: task.pool - b.amount });
    addBalance(s, b.to, b.amount);
  },
};

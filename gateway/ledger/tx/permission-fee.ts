// Permission fee (seed 002 (BFLC) "Node management and incentive": devices pay a fee to use the
// global model, and the managers share the profit by the scores of the accepted updates). A
// device pays the task's `fee` into the task's pool once; the pool then pays each round by data
// size × score (payout.ts), which is 002's profit sharing. A task with a fee accepts bids only
// from devices that paid it (bid.ts). The device signs; its counter must rise.
import { LedgerError } from '../errors.js';
import { onlyKeys, str, uint, amount } from '../fields.js';
import { K, put, requireTask, addBalance, bumpCounter } from '../records.js';
import type { TxKind } from './kind.js';

export interface PermissionFeeBody { task: string; amount: number; ctr: number }

export const permissionFeeKind: TxKind<PermissionFeeBody> = {
  type: 'permission-fee',
  author: 'participant',
  decode(m) {
    onlyKeys(m, ['task', 'amount', 'ctr'], 'permission-fee');
    return { task: str(m, 'task'), amount: amount(m, 'amount'), ctr: uint(m, 'ctr') };
  },
  encode: (b) => ({ ...b }),
  apply(s, tx, ctx) {
    const b = tx.body;
    bumpCounter(s, tx.author, b.ctr);
    const task = requireTask(s, b.task);
    if (task.status === 'closed') throw new LedgerError('task_closed', `task ${b.task} is closed`);
    const fee = task.fee ?? 0;
    if (fee === 0) throw new LedgerError('not_authorized', `task ${b.task} charges no permission fee`);
    if (b.amount !== fee) throw new LedgerError('insufficient_funds', `the permission fee of ${b.task} is ${fee}, not ${b.amount}`);
    if (s.get(K.permit(b.task, tx.author)) !== undefined) throw new LedgerError('duplicate', `${tx.author} already paid the fee of ${b.task}`);
    addBalance(s, tx.author, -fee);
    s.set(K.permit(b.task, tx.author), ctx.height);
    put(s, K.task(b.task), { ...task, pool: task.pool + fee });
  },
};

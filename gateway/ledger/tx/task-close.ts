// Closing a task (seed 004 (BC-FL) §III-B, end of the life cycle): once every winner's stake is
// settled (returned or forfeited), what is left in the pool (unspent rewards and forfeits)
// goes back to the publisher and the task accepts nothing more. Manager-authored.
import { LedgerError } from '../errors.js';
import { onlyKeys, str } from '../fields.js';
import { K, put, requireTask, getBid, addBalance } from '../records.js';
import type { TxKind } from './kind.js';

export interface TaskCloseBody { task: string }

export const taskCloseKind: TxKind<TaskCloseBody> = {
  type: 'task-close',
  author: 'manager',
  decode(m) {
    onlyKeys(m, ['task'], 'task-close');
    return { task: str(m, 'task') };
  },
  encode: (b) => ({ ...b }),
  apply(s, tx) {
    const b = tx.body;
    const task = requireTask(s, b.task);
    if (task.status !== 'selected') throw new LedgerError('task_closed', `task ${b.task} is ${task.status}; only a selected task closes`);
    const open = task.winners.filter((w) => getBid(s, b.task, w)?.status === 'won');
    if (open.length > 0) throw new LedgerError('task_closed', `stakes of ${open.join(', ')} on ${b.task} are not settled`);
    addBalance(s, task.publisher, task.pool);
    put(s, K.task(b.task), { ...task, pool: 0, status: 'closed' });
  },
};

// Task publication with a deposit (004 step 1): the publisher locks `deposit` from its balance
// into the task's reward pool. Economic rules beyond the bookkeeping come in a later issue.
import { LedgerError } from '../errors.js';
import { onlyKeys, uint, str } from '../fields.js';
import { K, put, getTask, addBalance, bumpCounter, type TaskRecord } from '../records.js';
import type { TxKind } from './kind.js';

export interface TaskPublishBody { task: string; deposit: number; rounds: number; ctr: number }

export const taskPublishKind: TxKind<TaskPublishBody> = {
  type: 'task',
  author: 'participant',
  decode(m) {
    onlyKeys(m, ['task', 'deposit', 'rounds', 'ctr'], 'task');
    return { task: str(m, 'task'), deposit: uint(m, 'deposit'), rounds: uint(m, 'rounds'), ctr: uint(m, 'ctr') };
  },
  encode: (b) => ({ ...b }),
  apply(s, tx, ctx) {
    const b = tx.body;
    bumpCounter(s, tx.author, b.ctr);
    if (getTask(s, b.task)) throw new LedgerError('duplicate', `task ${b.task} already published`);
    addBalance(s, tx.author, -b.deposit);
    const rec: TaskRecord = { publisher: tx.author, deposit: b.deposit, pool: b.deposit, rounds: b.rounds, status: 'open', height: ctx.height };
    put(s, K.task(b.task), rec);
  },
};

// Penalty: takes `amount` from a participant's balance. With a task, the amount goes to that
// task's pool; without, it is burned (the recorded supply falls by as much, supply.ts). Manager-authored; identical content is accepted once.
import { LedgerError } from '../errors.js';
import { onlyKeys, amount, str, opt, MAX_TEXT } from '../fields.js';
import { K, put, requireTask, getSupply, addBalance, identity } from '../records.js';
import { defined, type TxKind } from './kind.js';

export interface PenaltyBody { who: string; amount: number; reason: string; task?: string }

export const penaltyKind: TxKind<PenaltyBody> = {
  type: 'penalty',
  author: 'manager',
  once: true,
  decode(m) {
    onlyKeys(m, ['who', 'amount', 'reason', 'task'], 'penalty');
    return { who: str(m, 'who'), amount: amount(m, 'amount'), reason: str(m, 'reason', MAX_TEXT, 0), task: opt(m, 'task', (x, k) => str(x, k)) };
  },
  encode: (b) => defined({ who: b.who, amount: b.amount, reason: b.reason, task: b.task }),
  apply(s, tx) {
    const b = tx.body;
    if (!identity(s, b.who)) throw new LedgerError('unknown_author', `${b.who} is unknown`);
    addBalance(s, b.who, -b.amount);
    if (b.task !== undefined) {
      const task = requireTask(s, b.task);
      if (task.status === 'closed') throw new LedgerError('task_closed', `task ${b.task} is closed`);
      put(s, K.task(b.task), { ...task, pool: task.pool + b.amount });
    } else {
      put(s, K.supply, getSupply(s) - b.amount);
    }
  },
};

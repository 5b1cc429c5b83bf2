// Bid for a task (004 function 2): a training node replies with its price and stakes a
// deposit for accountability. One bid per node and task; the stake leaves its balance.
import { LedgerError } from '../errors.js';
import { onlyKeys, uint, str } from '../fields.js';
import { K, put, getTask, addBalance, bumpCounter } from '../records.js';
import type { TxKind } from './kind.js';

export interface BidBody { task: string; price: number; stake: number; ctr: number }

export const bidKind: TxKind<BidBody> = {
  type: 'bid',
  author: 'participant',
  decode(m) {
    onlyKeys(m, ['task', 'price', 'stake', 'ctr'], 'bid');
    return { task: str(m, 'task'), price: uint(m, 'price'), stake: uint(m, 'stake'), ctr: uint(m, 'ctr') };
  },
  encode: (b) => ({ ...b }),
  apply(s, tx, ctx) {
    const b = tx.body;
    bumpCounter(s, tx.author, b.ctr);
    const task = getTask(s, b.task);
    if (!task || task.status !== 'open') throw new LedgerError('not_found', `no open task ${b.task}`);
    const key = K.bid(b.task, tx.author);
    if (s.get(key)) throw new LedgerError('duplicate', `${tx.author} already bid on ${b.task}`);
    addBalance(s, tx.author, -b.stake);
    put(s, key, { price: b.price, stake: b.stake, height: ctx.height });
  },
};

// Bid for a task (seed 004 (BC-FL) §III-B function 2): a training node declares its cost
// (`price`), capability and data size and stakes at least the task's deposit, which leaves its
// balance into escrow. Only while the task is open for bids; one bid per node and task.
import { LedgerError } from '../errors.js';
import { onlyKeys, uint, str, amount, MAX_LIST } from '../fields.js';
import { K, put, requireTask, addBalance, bumpCounter, type BidRecord } from '../records.js';
import type { TxKind } from './kind.js';

export interface BidBody { task: string; price: number; capability: number; size: number; stake: number; ctr: number }

export const bidKind: TxKind<BidBody> = {
  type: 'bid',
  author: 'participant',
  decode(m) {
    onlyKeys(m, ['task', 'price', 'capability', 'size', 'stake', 'ctr'], 'bid');
    return { task: str(m, 'task'), price: amount(m, 'price'), capability: uint(m, 'capability'), size: uint(m, 'size'), stake: amount(m, 'stake'), ctr: uint(m, 'ctr') };
  },
  encode: (b) => ({ ...b }),
  apply(s, tx, ctx) {
    const b = tx.body;
    bumpCounter(s, tx.author, b.ctr);
    const task = requireTask(s, b.task);
    if (task.status !== 'bidding') throw new LedgerError('task_closed', `task ${b.task} is ${task.status}: bids closed at selection`);
    if ((task.fee ?? 0) > 0 && s.get(K.permit(b.task, tx.author)) === undefined) throw new LedgerError('no_permit', `${tx.author} has not paid the permission fee of ${b.task}`);
    if (b.stake === 0) throw new LedgerError('no_deposit', `bid on ${b.task} stakes nothing; the task requires ${task.deposit}`);
    if (b.stake < task.deposit) throw new LedgerError('no_deposit', `stake ${b.stake} is below the task's deposit ${task.deposit}`);
    if (b.size < task.minSize) throw new LedgerError('not_authorized', `declared data size ${b.size} is below the task's ${task.minSize}`);
    const key = K.bid(b.task, tx.author);
    if (s.get(key)) throw new LedgerError('duplicate', `${tx.author} already bid on ${b.task}`);
    if (task.bidders.length >= MAX_LIST) throw new LedgerError('too_large', `task ${b.task} has ${MAX_LIST} bids`);
    addBalance(s, tx.author, -b.stake);
    const rec: BidRecord = { price: b.price, capability: b.capability, size: b.size, stake: b.stake, status: 'bid', height: ctx.height };
    put(s, key, rec);
    put(s, K.task(b.task), { ...task, bidders: [...task.bidders, tx.author] });
  },
};

// Winner selection (seed 004 (BC-FL) §III-B function 2): closes bidding on a task, records the
// winners on the chain and refunds every loser's stake. The winners are not the proposer's
// choice: the rule recomputes them from the recorded bids (selection.ts) and the transaction
// must name exactly that list, in that order. Manager-authored.
import { LedgerError } from '../errors.js';
import { onlyKeys, str, list, idItem, MAX_LIST } from '../fields.js';
import { K, put, requireTask, getBid, addBalance } from '../records.js';
import { selectWinners } from '../selection.js';
import type { TxKind } from './kind.js';

export interface SelectBody { task: string; winners: string[] }

export const selectKind: TxKind<SelectBody> = {
  type: 'select',
  author: 'manager',
  decode(m) {
    onlyKeys(m, ['task', 'winners'], 'select');
    return { task: str(m, 'task'), winners: list(m, 'winners', idItem, MAX_LIST) };
  },
  encode: (b) => ({ task: b.task, winners: [...b.winners] }),
  apply(s, tx) {
    const b = tx.body;
    const task = requireTask(s, b.task);
    if (task.status !== 'bidding') throw new LedgerError('task_closed', `task ${b.task} is already ${task.status}`);
    if (task.bidders.length === 0) throw new LedgerError('bad_selection', `task ${b.task} has no bids`);
    const bids = task.bidders.map((id) => ({ id, ...getBid(s, b.task, id)! }));
    const winners = selectWinners(bids, task.slots);
    if (winners.length !== b.winners.length || winners.some((w, i) => w !== b.winners[i])) {
      throw new LedgerError('bad_selection', `winners of ${b.task} are [${winners.join(', ')}], not [${b.winners.join(', ')}]`);
    }
    const won = new Set(winners);
    for (const bid of bids) {
      const { id, ...rec } = bid;
      if (won.has(id)) { put(s, K.bid(b.task, id), { ...rec, status: 'won' }); continue; }
      put(s, K.bid(b.task, id), { ...rec, status: 'lost' });
      addBalance(s, id, rec.stake);   // 004: losers reclaim their deposits
    }
    put(s, K.task(b.task), { ...task, status: 'selected', winners });
  },
};

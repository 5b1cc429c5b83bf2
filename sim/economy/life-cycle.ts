// The demo's task on the chain, seed 004 (BC-FL) §III-B steps 1-2 and 7, around the training
// rounds: the requester registers and publishes the task with its pool, every board pays the
// permission fee (002, when the task has one) and bids with its stake, the managers select the
// winners (losers refunded by the rule); after the last round each winner's deposit is refunded
// or slashed (gateway/economy/settle.ts) and the task closes. Each step is one block, appended by
// gateway 0 and, in a cluster, approved by every gateway and imported by the others.
import { Rng } from '../../boards/data/rng.js';
import {
  nodeSigner, registrationTx, taskPublishTx, permissionFeeTx, bidTx, selectTx, selectWinners,
  type Ledger, type Signer, type Tx,
} from '../../gateway/ledger/index.js';
import { deviceSeed } from '../../gateway/cluster/setup.js';
import { settle, settlementTxs, type Settlement } from '../../gateway/economy/settle.js';
import type { RoundSummary } from '../../gateway/round/summary.js';
import type { EconomyParams } from './params.js';

/** The requester's account (seed 003's federated-learning requester, 004's task publisher). */
export const REQUESTER = 'requester';

/** Genesis balances: the requester's and every board's. */
export function economyBalances(p: EconomyParams, ids: readonly string[]): Record<string, number> {
  return { [REQUESTER]: p.balances.requester, ...Object.fromEntries(ids.map((id) => [id, p.balances.device])) };
}

/** A board's bid: cost per round (price), capability and declared data size. The demo draws
 *  cost and capability from the seed, so selection by capability/cost has something to select. */
export function demoBid(i: number, samples: number, seed: number): { price: number; capability: number; size: number } {
  const rng = new Rng(seed * 1_000_003 + i);
  return { price: 10 + rng.int(91), capability: 50 + rng.int(151), size: samples };
}

async function appendAll(ledgers: Ledger[], gws: Signer[], txs: Tx[], round: number, engine: string): Promise<void> {
  const cons = ledgers.length === 1 ? { engine, round } : { engine, round, committee: gws.map((s) => s.id), approvers: gws };
  const b = await ledgers[0]!.append(gws[0]!, txs, cons, Math.max(Date.now(), ledgers[0]!.head().time));
  for (const l of ledgers.slice(1)) await l.importBlock(b);
}

/** Publishes the task, pays fees, bids and selects (two blocks). Returns the winners. Skips
 *  what a reopened chain already has. */
export async function openTask(ledgers: Ledger[], gws: Signer[], p: EconomyParams, boards: { id: string; samples: number }[], o: { seed: number; rounds: number; engine: string; rule?: string }): Promise<string[]> {
  const l = ledgers[0]!;
  const existing = l.task(p.task);
  if (existing && existing.status !== 'bidding') return existing.winners;
  const req = nodeSigner(REQUESTER, deviceSeed(REQUESTER, o.seed));
  const txs: Tx[] = [];
  if (!l.deviceRecord(REQUESTER)) txs.push(registrationTx(gws[0]!, { id: REQUESTER, publicKey: req.publicKey, profile: { categories: [], types: [], size: 0 } }));
  txs.push(taskPublishTx(req, {
    task: p.task, pool: p.pool, deposit: p.deposit, slots: p.slots ?? boards.length, minSize: p.minSize, rounds: o.rounds,
    split: { ...p.split }, ctr: 1, rule: o.rule ?? 'fedavg', ...(p.fee ? { fee: p.fee } : {}), ...(p.pays === '003' ? { incentive: p.incentive } : {}),
  }));
  boards.forEach((b, i) => {
    const s = nodeSigner(b.id, deviceSeed(b.id, o.seed));
    if (p.fee) txs.push(permissionFeeTx(s, { task: p.task, amount: p.fee, ctr: 1 }));
    txs.push(bidTx(s, { task: p.task, ...demoBid(i, b.samples, o.seed), stake: p.deposit, ctr: p.fee ? 2 : 1 }));
  });
  await appendAll(ledgers, gws, txs, 0, o.engine);
  const bids = l.task(p.task)!.bidders.map((id) => ({ id, ...l.bid(p.task, id)! }));
  const winners = selectWinners(bids, p.slots ?? boards.length);
  await appendAll(ledgers, gws, [selectTx(gws[0]!, { task: p.task, winners })], 0, o.engine);
  return winners;
}

/** Settles every winner's deposit from the rounds' summaries and closes the task (one block). */
export async function closeTask(ledgers: Ledger[], gws: Signer[], p: EconomyParams, summaries: readonly RoundSummary[], engine: string): Promise<Settlement[]> {
  const l = ledgers[0]!;
  const task = l.task(p.task);
  if (!task || task.status !== 'selected') return [];
  const s = settle(task.winners, summaries);
  const txs = settlementTxs(gws[0]!, p.task, s, (id) => l.bid(p.task, id), { revoke: p.revoke, active: (id) => l.device(id) !== undefined });
  await appendAll(ledgers, gws, txs, summaries.at(-1)?.round ?? 0, engine);
  return s;
}

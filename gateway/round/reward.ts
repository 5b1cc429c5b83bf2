// A round's payout (seed 004 (BC-FL) §III-B step 7, seed 002 "profit sharing by the scores of
// the accepted updates"): the one rule from a decision to the payout the round's block carries.
// The ledger's payout rule (gateway/ledger/tx/payout.ts) then splits the amount exactly between
// the miner's fee and the accepted winners, by declared data size × score. Pure: the chain reads
// (pool, eligibility) are injected and must read the head state, the same on every gateway.
import { PPM, type PayoutBody, type ContributionBody, type IncentiveRecord } from '../ledger/index.js';
import type { Decision } from '../consensus/engine.js';
import type { Contribution } from '../aggregate/index.js';
import type { AcceptedUpdate } from './check-update.js';
import { sha256 } from '../../protocol/bytes.js';

/** The computing center's valuation (seed 003 Eq. 1-2) of a round's accepted updates: φ per
 *  update, in the order given. Deterministic in its inputs (gateway/economy/contribute.ts). */
export type Contribute = (o: { base: Uint8Array; updates: Contribution[]; seed: number; method: string; budget: number }) => { method: string; phi: number[]; evaluations: number };

/** Economic settings of a task's rounds, with reads of the chain head. */
export interface RoundReward {
  /** The ledger task (004 publish) whose pool pays; may differ from the FL task name. */
  task: string;
  /** Tokens paid per round (less when the pool holds less). */
  perRound: number;
  /** Fee recipient when the engine names no leader or miner (the aggregator's account). */
  aggregator: string;
  /** Tokens left in the task's pool at the head. */
  pool(): number;
  /** Whether `device` is a winner of the task whose stake is in good standing at the head. */
  eligible(device: string): boolean;
  /** The task's 003 contract at the head, when it has one: rounds then pay by Eq. 3. */
  incentive?(): IncentiveRecord | undefined;
  /** The computing center's account (003; default: the aggregator). */
  center?: string;
  /** Shapley valuation, needed for a task with a 003 contract. */
  contribute?: Contribute;
}

/** The sampling seed of a round's Shapley estimate: the first 48 bits of SHA-256(prev ‖ round),
 *  so no proposer chooses it and every gateway derives the same one. */
export function shapleySeed(prev: Uint8Array, round: number): number {
  const r = new Uint8Array(prev.length + 4);
  r.set(prev); new DataView(r.buffer).setUint32(prev.length, round);
  const h = sha256(r);
  return h[0]! * 2 ** 40 + h[1]! * 2 ** 32 + ((h[2]! << 24) >>> 0) + (h[3]! << 16) + (h[4]! << 8) + h[5]!;
}

/** The 003 content of round `round` (seed 003 Eq. 1-3): Shapley values of the accepted, eligible
 *  updates (sorted by device id) against the round's starting model `base`, seeded by the parent
 *  block `prev`; the eligible winners of the decision's `pool` (its candidates) the engine rejected; the amount of Eq. 3's payout. Undefined
 *  when the task has no 003 contract or the pool is empty. Throws RangeError without `contribute`. */
export function contributionOf(r: RoundReward, round: number, d: Decision, updates: ReadonlyMap<string, AcceptedUpdate>, at: { base: Uint8Array; prev: Uint8Array; pool: readonly string[] }): ContributionBody | undefined {
  const { base, prev } = at;
  const inc = r.incentive?.();
  if (!inc) return undefined;
  const amount = Math.min(r.perRound, r.pool());
  if (amount <= 0) return undefined;
  if (!r.contribute) throw new RangeError(`task ${r.task} pays by Shapley values but this gateway has no valuation (contribute)`);
  const ids = d.accepted.filter((id) => r.eligible(id)).sort();
  const accepted = new Set(d.accepted);
  const rejected = [...at.pool].filter((id) => !accepted.has(id) && r.eligible(id)).sort();
  const ups = ids.map((id) => { const u = updates.get(id)!; return { params: u.params, n: u.fields.n }; });
  const v = ids.length ? r.contribute({ base, updates: ups, seed: shapleySeed(prev, round), method: inc.method, budget: inc.budget }) : { method: inc.method, phi: [], evaluations: 0 };
  return {
    task: r.task, round, amount, aggregator: d.leader ?? r.aggregator, center: r.center ?? r.aggregator, method: v.method, evaluations: v.evaluations,
    phi: ids.map((to, i) => ({ to, phi: v.phi[i]! })), rejected,
  };
}

/** The payout for round `round` of decision `d`, or undefined when there is nothing to pay.
 *  Shares: the accepted, eligible devices sorted by id, score clamped to 0..1,000,000 ppm (the
 *  ledger refuses anything above); when the engine scored every accepted update 0 (it does not
 *  score), each counts as 1,000,000. The fee goes to the engine's leader (PoQ) or miner (PoW)
 *  when it names one, else to the aggregator. Rejected, lazy and free-riding devices are not
 *  accepted, so they get no share. */
export function payoutOf(r: RoundReward, round: number, d: Decision): PayoutBody | undefined {
  if (r.incentive?.()) return undefined;   // a 003 task pays by contributionOf
  const amount = Math.min(r.perRound, r.pool());
  if (amount <= 0) return undefined;
  const ids = d.accepted.filter((id) => r.eligible(id)).sort();
  const clamp = (v: number) => Math.max(0, Math.min(PPM, Math.trunc(v)));
  // An engine that does not score (FedAvg records 0 for every accepted update) gives no quality
  // signal: every accepted update then counts at full quality and data size alone splits.
  const unscored = d.accepted.every((id) => (d.scores.get(id) ?? 0) === 0);
  const shares = ids.map((to) => ({ to, score: unscored ? PPM : clamp(d.scores.get(to) ?? 0) }));
  return { task: r.task, round, amount, miner: d.leader ?? r.aggregator, shares, reason: `round ${round}` };
}

/** The chain reads a RoundReward needs, from a ledger (or any view of its head state). */
export interface EconomyView {
  task(id: string): { status: string; pool: number; incentive?: IncentiveRecord } | undefined;
  bid(task: string, bidder: string): { status: string } | undefined;
}

/** A RoundReward over `ledger`: pays only while the task is `selected`, to winners whose stake
 *  is escrowed or returned (not forfeited).
 *  @example cfg.reward = chainReward(ledger, { task: 'T', perRound: 100, aggregator: 'gw-1' }) */
export function chainReward(ledger: EconomyView, o: Pick<RoundReward, 'task' | 'perRound' | 'aggregator' | 'center' | 'contribute'>): RoundReward {
  return {
    ...o,
    incentive: () => ledger.task(o.task)?.incentive,
    pool: () => { const t = ledger.task(o.task); return t && t.status === 'selected' ? t.pool : 0; },
    eligible: (id) => { const s = ledger.bid(o.task, id)?.status; return s === 'won' || s === 'returned'; },
  };
}

// A round's payout (seed 004 (BC-FL) §III-B step 7, seed 002 "profit sharing by the scores of
// the accepted updates"): the one rule from a decision to the payout the round's block carries.
// The ledger's payout rule (gateway/ledger/tx/payout.ts) then splits the amount exactly between
// the miner's fee and the accepted winners, by declared data size × score. Pure: the chain reads
// (pool, eligibility) are injected and must read the head state, the same on every gateway.
import { PPM, type PayoutBody } from '../ledger/index.js';
import type { Decision } from '../consensus/engine.js';

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
}

/** The payout for round `round` of decision `d`, or undefined when there is nothing to pay.
 *  Shares: the accepted, eligible devices sorted by id, score clamped to 0..1,000,000 ppm (the
 *  ledger refuses anything above); when the engine scored every accepted update 0 (it does not
 *  score), each counts as 1,000,000. The fee goes to the engine's leader (PoQ) or miner (PoW)
 *  when it names one, else to the aggregator. Rejected, lazy and free-riding devices are not
 *  accepted, so they get no share. */
export function payoutOf(r: RoundReward, round: number, d: Decision): PayoutBody | undefined {
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
  task(id: string): { status: string; pool: number } | undefined;
  bid(task: string, bidder: string): { status: string } | undefined;
}

/** A RoundReward over `ledger`: pays only while the task is `selected`, to winners whose stake
 *  is escrowed or returned (not forfeited).
 *  @example cfg.reward = chainReward(ledger, { task: 'T', perRound: 100, aggregator: 'gw-1' }) */
export function chainReward(ledger: EconomyView, o: Pick<RoundReward, 'task' | 'perRound' | 'aggregator'>): RoundReward {
  return {
    ...o,
    pool: () => { const t = ledger.task(o.task); return t && t.status === 'selected' ? t.pool : 0; },
    eligible: (id) => { const s = ledger.bid(o.task, id)?.status; return s === 'won' || s === 'returned'; },
  };
}

// The pluggable consensus strategy of the simulated gateway (STYLE §2): who trains, who
// validates, and which admitted updates make the next global model. Strategies are pure over
// values (selection and randomness come from the run seed); the coordinator does the I/O.
// When issue 6's engines (gateway/consensus/**) land, they plug in here as further strategies.
import type { Scenario } from '../scenario/schema.js';
import { aggregator, type Contribution } from '../../gateway/aggregate/index.js';
import { rngFor } from '../fleet/seeds.js';

/** An admitted update as the strategy sees it. */
export interface Candidate { index: number; params: Int32Array; n: number }

export interface Rejected { index: number; reason: string; detail: string }

export interface Decision {
  accepted: Candidate[];
  rejected: Rejected[];
  /** The new global params, or null to keep the old model (nothing accepted). */
  params: Int32Array | null;
  /** Committee median score per scored candidate (ppm). */
  scores?: Map<number, number>;
  /** The engine's per-device reputation after this round, where it has one. */
  reputation?: Map<number, number>;
}

export interface RoundPlan { trainers: number[]; committee: number[] }

export interface ConsensusStrategy {
  readonly name: string;
  /** True when the committee must score candidates before `decide`. */
  readonly needsScores: boolean;
  plan(round: number): RoundPlan;
  /** `scores`: member index → (candidate index → ppm). Candidates come in device-index order. */
  decide(round: number, candidates: Candidate[], scores: Map<number, Map<number, number>>): Decision;
}

/** K = ⌈activeFraction · N⌉ trainers per round (at least 1). */
export function trainersPerRound(s: Scenario): number {
  return Math.max(1, Math.min(s.devices.count, Math.ceil(s.selection.activeFraction * s.devices.count - 1e-9)));
}

/** A seeded choice of k indices from `pool`, returned sorted. */
export function choose(pool: number[], k: number, seed: number, round: number, salt: number): number[] {
  const a = rngFor(seed, 'select', round, salt).shuffle(pool.slice());
  return a.slice(0, Math.min(k, a.length)).sort((x, y) => x - y);
}

/** Runs the scenario's aggregation rule over accepted candidates (with scores where known). */
export function aggregate(s: Scenario, accepted: Candidate[], scores?: Map<number, number>): Int32Array | null {
  if (accepted.length === 0) return null;
  const rule = aggregator(s.aggregation.rule);
  const us: Contribution[] = accepted.map((c) => ({ params: c.params, n: c.n, score: scores?.get(c.index) }));
  const { trim, f, m } = s.aggregation;
  const fOk = f !== undefined ? Math.min(f, Math.max(0, accepted.length - 3)) : undefined;
  const mOk = m !== undefined ? Math.min(m, accepted.length) : undefined;
  return rule(us, { trim, f: fOk, m: mOk, k: mOk });
}

/** Basic FL and robust aggregation (FedAvg, median, trimmed mean, Krum, ...): every admitted
 *  update goes into the rule; no committee. */
export function aggregationOnly(s: Scenario): ConsensusStrategy {
  const all = Array.from({ length: s.devices.count }, (_, i) => i);
  const k = trainersPerRound(s);
  return {
    name: s.aggregation.rule,
    needsScores: false,
    plan: (round) => ({ trainers: k >= all.length ? all : choose(all, k, s.seed, round, 1), committee: [] }),
    decide: (_round, candidates) => ({ accepted: candidates, rejected: [], params: aggregate(s, candidates) }),
  };
}

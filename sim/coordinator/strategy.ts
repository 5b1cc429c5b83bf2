// The pluggable consensus strategy of the simulated gateway (STYLE §2): who trains this round
// (selection is the simulator's, seeded by the run) and, through gateway/consensus, which
// admitted updates make the next global model. Every strategy is a thin adapter over one
// ConsensusEngine (sim/coordinator/engine-adapter.ts); the coordinator does the I/O.
import type { Scenario } from '../scenario/schema.js';
import { aggregator, type AggregationRule, type RuleOptions } from '../../gateway/aggregate/index.js';
import type { ScoreSheet } from '../../gateway/consensus/committee.js';
import { rngFor } from '../fleet/seeds.js';

/** An admitted update as the strategy sees it. */
export interface Candidate { index: number; params: Int32Array; n: number; updateHash: Uint8Array }

export interface Rejected { index: number; reason: string; detail: string }

export interface Decision {
  accepted: Candidate[];
  rejected: Rejected[];
  /** The new global params, or null to keep the old model (nothing accepted). */
  params: Int32Array | null;
  /** Committee score per scored candidate (ppm). */
  scores?: Map<number, number>;
  /** The simulator's per-device reputation after this round, where the engine scores updates. */
  reputation?: Map<number, number>;
}

export interface RoundPlan { trainers: number[]; committee: number[] }

/** The round's view every node shares: its number and the parent (the hash of the round's
 *  global model blob, which seeds random election and binds score sheets to the round). */
export interface RoundView { round: number; prev: Uint8Array }

export interface ConsensusStrategy {
  /** Recorded in the ledger's genesis and block headers. */
  readonly name: string;
  /** True when the committee must send signed score sheets before `decide`. */
  readonly needsScores: boolean;
  plan(round: number): RoundPlan;
  /** Checks one committee member's score-sheet message (bounded CBOR) against the round and the
   *  member's key; returns the sheet or throws (the coordinator drops it). */
  admitSheet?(view: RoundView, committee: readonly number[], payload: Uint8Array): ScoreSheet;
  /** `sheets`: the admitted score sheets. Candidates come in device-index order. */
  decide(view: RoundView, candidates: Candidate[], sheets: ScoreSheet[]): Decision;
}

/** Raw Ed25519 public key of a device id or of the simulated gateway ('gw-0'). */
export type KeyOf = (id: string) => Uint8Array | undefined;

/** K = ⌈activeFraction · N⌉ trainers per round (at least 1). */
export function trainersPerRound(s: Scenario): number {
  return Math.max(1, Math.min(s.devices.count, Math.ceil(s.selection.activeFraction * s.devices.count - 1e-9)));
}

/** A seeded choice of k indices from `pool`, returned sorted. */
export function choose(pool: number[], k: number, seed: number, round: number, salt: number): number[] {
  const a = rngFor(seed, 'select', round, salt).shuffle(pool.slice());
  return a.slice(0, Math.min(k, a.length)).sort((x, y) => x - y);
}

/** The scenario's aggregation rule as the engines call it: Krum's f and Multi-Krum's m are
 *  clamped to the number of updates actually aggregated this round. */
export function scenarioRule(s: Scenario): { rule: AggregationRule; ruleOpts?: RuleOptions } {
  const rule = aggregator(s.aggregation.rule);
  const { trim, f, m } = s.aggregation;
  return {
    rule: (us) => {
      const fOk = f !== undefined ? Math.min(f, Math.max(0, us.length - 3)) : undefined;
      const mOk = m !== undefined ? Math.min(m, us.length) : undefined;
      return rule(us, { trim, f: fOk, m: mOk, k: mOk });
    },
  };
}

/** Selection without a committee: K seeded trainers per round (all devices when K = N). */
export function openPlan(s: Scenario): (round: number) => RoundPlan {
  const all = Array.from({ length: s.devices.count }, (_, i) => i);
  const k = trainersPerRound(s);
  return (round) => ({ trainers: k >= all.length ? all : choose(all, k, s.seed, round, 1), committee: [] });
}

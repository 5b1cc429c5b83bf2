// A scenario as a federated task (STYLE §2): which round engine decides (every one a
// gateway/consensus engine), the aggregation rule it aggregates with, and the simulator's
// selection — who trains (K seeded active nodes) and the first committee (a seeded draw;
// 002 assumes it is mostly honest; later committees come from the engine's election).
import type { Scenario } from './scenario/schema.js';
import { aggregator, type AggregationRule, type RuleOptions } from '../gateway/aggregate/index.js';
import { committeeEngine, type CommitteeConfig } from '../gateway/consensus/committee.js';
import { fedavgEngine } from '../gateway/consensus/accept-all.js';
import { rootTrustEngine } from '../gateway/consensus/root-trust.js';
import { powEngine } from '../gateway/consensus/pow.js';
import type { ConsensusEngine } from '../gateway/consensus/engine.js';
import type { RoundPlan } from '../gateway/round/machine.js';
import { deviceId, deviceIndex } from '../protocol/ids.js';
import { rngFor } from './fleet/seeds.js';

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
  const { trim, f, m, iters } = s.aggregation;
  return {
    rule: (us, o) => {
      const fOk = f !== undefined ? Math.min(f, Math.max(0, us.length - 3)) : undefined;
      const mOk = m !== undefined ? Math.min(m, us.length) : undefined;
      return rule(us, { ...o, trim, f: fOk, m: mOk, k: mOk, iters });
    },
  };
}

/** The BFLC configuration a scenario selects: M = round(committeeFraction·K), threshold in
 *  ppm, k absolute or ⌈kFraction·K⌉, with K the trainers per round. */
export function committeeConfig(s: Scenario): CommitteeConfig {
  const K = trainersPerRound(s), c = s.consensus;
  return {
    size: Math.max(1, Math.round(c.committeeFraction * K)),
    threshold: Math.round(c.threshold * 1e6),
    k: c.k ?? Math.max(1, Math.ceil(c.kFraction * K - 1e-9)),
    election: c.election,
    ...(c.electThreshold !== undefined ? { electThreshold: Math.max(Math.round(c.threshold * 1e6), Math.round(c.electThreshold * 1e6)) } : {}),
    ...(c.warmup ? { warmup: c.warmup } : {}),
    ...(c.trust ? { trust: true } : {}),
    ...(c.trustFloor ? { trustFloor: Math.round(c.trustFloor * 1e6) } : {}),
    ...(c.trustRoot === 'median' ? { trustRoot: 'median' as const } : {}),
  };
}

/** The round engine of a scenario (`consensus.engine: none` is plain aggregation, fedavg). */
export function scenarioEngine(s: Scenario): ConsensusEngine<any> {
  switch (s.consensus.engine) {
    case 'committee': return committeeEngine(committeeConfig(s));
    case 'pow': return powEngine({ difficulty: s.consensus.difficulty });
    default: return s.consensus.rootData > 0 ? rootTrustEngine({ floor: Math.round(s.consensus.trustFloor * 1e6), reputation: s.consensus.reputation }) : fedavgEngine;
  }
}

/** Per-round selection: K seeded trainers outside the committee; a committee engine's first
 *  committee is a seeded draw of M boards. Pure in (round, committee). */
export function scenarioPlan(s: Scenario): (round: number, committee: readonly string[]) => RoundPlan {
  const all = Array.from({ length: s.devices.count }, (_, i) => i);
  const K = trainersPerRound(s);
  const M = s.consensus.engine === 'committee' ? committeeConfig(s).size : 0;
  return (round, committee) => {
    const seatedIdx = committee.length || !M ? committee.map(deviceIndex) : choose(all, M, s.seed, round, 2);
    const seated = new Set(seatedIdx);
    const pool = all.filter((i) => !seated.has(i));
    let trainers = K >= pool.length && !M ? pool : choose(pool, K, s.seed, round, 1);
    // direction trust: the members also train, to send their reference updates
    if (s.consensus.trust) trainers = [...trainers, ...seatedIdx].sort((a, b) => a - b);
    return { trainers: trainers.map(deviceId), committee: [...seatedIdx].sort((a, b) => a - b).map(deviceId) };
  };
}

// BFLC committee consensus (002 §III) in the simulator: a thin adapter over
// gateway/consensus/committee.ts. The simulator only chooses who trains (K seeded active nodes
// outside the committee) and draws the first committee (a seeded random draw; 002 assumes it
// is mostly honest). Everything else is the engine's: the members score every candidate on
// their own data in their own firmware and sign score sheets (sim/fleet/worker.ts), an update's
// score is the committee median, it is accepted when that reaches the threshold, at most the k
// best enter the model, and the next committee is elected among the accepted providers
// (gateway/consensus/election.ts). See docs/simulator.md §Consensus.
import type { Scenario } from '../scenario/schema.js';
import { committeeEngine, checkSheets, decodeSheets, type CommitteeConfig, type ScoreSheet } from '../../gateway/consensus/committee.js';
import { decodeBounded } from '../../protocol/cbor.js';
import { deviceId } from '../protocol.js';
import { decideWith } from './engine-adapter.js';
import { choose, trainersPerRound, type ConsensusStrategy, type KeyOf } from './strategy.js';

/** Largest score-sheet message accepted (a sheet of 100,000 entries is ≈ 4 MB). */
export const MAX_SHEET_BYTES = 4 << 20;

/** The engine configuration a scenario selects: M = round(committeeFraction·K), threshold in
 *  ppm, k absolute or ⌈kFraction·K⌉, with K the trainers per round. */
export function committeeConfig(s: Scenario): CommitteeConfig {
  const K = trainersPerRound(s), c = s.consensus;
  return {
    size: Math.max(1, Math.round(c.committeeFraction * K)),
    threshold: Math.round(c.threshold * 1e6),
    k: c.k ?? Math.max(1, Math.ceil(c.kFraction * K - 1e-9)),
    election: c.election,
  };
}

/** Reputation shown in reputation.csv: exponential moving average of an update's committee
 *  score (weight ½ on the new one). A simulator metric only; the engine keeps no reputation. */
const ema = (old: number | undefined, x: number) => (old === undefined ? x : Math.round((old + x) / 2));
const pct = (ppm: number) => `${(ppm / 1e4).toFixed(2)} %`;

/** The BFLC strategy: selection here, decisions by committeeEngine(committeeConfig(s)).decide.
 *  @example const st = committeeStrategy(s, keyOf); st.plan(1); st.decide(view, candidates, sheets) */
export function committeeStrategy(s: Scenario, keyOf: KeyOf): ConsensusStrategy {
  const cfg = committeeConfig(s);
  const engine = committeeEngine(cfg);
  const all = Array.from({ length: s.devices.count }, (_, i) => i);
  const K = trainersPerRound(s);
  let committee: number[] = [];
  const reputation = new Map<number, number>();

  return {
    name: 'committee',
    needsScores: true,
    plan(round) {
      if (committee.length === 0) committee = choose(all, cfg.size, s.seed, round, 2);
      const seated = new Set(committee);
      return { trainers: choose(all.filter((i) => !seated.has(i)), K, s.seed, round, 1), committee: committee.slice() };
    },
    admitSheet(view, members, payload) {
      const sheets = decodeSheets(decodeBounded(payload, MAX_SHEET_BYTES));
      if (sheets.length !== 1) throw new RangeError('a member sends exactly one score sheet');
      checkSheets({ round: view.round, prev: view.prev, candidates: [], committee: members.map(deviceId) }, sheets, keyOf);
      return sheets[0];
    },
    decide(view, candidates, sheets: ScoreSheet[]) {
      const d = decideWith(s, keyOf, {
        engine, view, candidates, committee, evidence: sheets,
        why: (c, e) => {
          const sc = e.scores.get(deviceId(c.index)) ?? 0;
          return {
            reason: 'committee_score',
            detail: sc < cfg.threshold ? `median score ${pct(sc)} below the threshold ${pct(cfg.threshold)}` : `median score ${pct(sc)} passed but not among the k = ${cfg.k} best`,
          };
        },
      });
      for (const [i, v] of d.scores!) reputation.set(i, ema(reputation.get(i), v));
      if (d.nextCommittee.length > 0) committee = d.nextCommittee;
      return { accepted: d.accepted, rejected: d.rejected, params: d.params, scores: d.scores, reputation: new Map(reputation) };
    },
  };
}

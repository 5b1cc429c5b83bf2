// BFLC committee consensus (002 §Committee consensus mechanism) as a simulator strategy:
// each round K active nodes train while the committee elected last round validates; every
// member scores each update by its accuracy on the member's own data, an update's score is the
// median of its members' scores, the top `acceptFraction` are aggregated, and the providers
// with the top scores form the next committee ("election by score"; "random election" as an
// option). The first committee is a seeded random draw (002 §Malicious nodes assumes it is
// mostly honest).
import type { Scenario } from '../scenario/schema.js';
import { aggregate, aggregationOnly, choose, trainersPerRound, type ConsensusStrategy, type Candidate, type Rejected } from './strategy.js';

/** Median of integer scores; for an even count the floor of the two middle values' mean. */
export function medianScore(xs: number[]): number {
  if (xs.length === 0) return 0;
  const a = xs.slice().sort((x, y) => x - y), h = a.length >> 1;
  return a.length % 2 ? a[h] : Math.floor((a[h - 1] + a[h]) / 2);
}

/** Reputation update: exponential moving average of median scores (weight ½ on the new one). */
const ema = (old: number | undefined, x: number) => (old === undefined ? x : Math.round((old + x) / 2));

export function committeeStrategy(s: Scenario): ConsensusStrategy {
  const n = s.devices.count, k = trainersPerRound(s);
  const size = Math.max(1, Math.round(s.consensus.committeeFraction * k));
  const all = Array.from({ length: n }, (_, i) => i);
  let committee: number[] = [];
  const reputation = new Map<number, number>();

  return {
    name: 'committee',
    needsScores: true,
    plan(round) {
      if (committee.length === 0) committee = choose(all, size, s.seed, round, 2);
      const inCommittee = new Set(committee);
      const pool = all.filter((i) => !inCommittee.has(i));
      return { trainers: choose(pool, k, s.seed, round, 1), committee: committee.slice() };
    },
    decide(round, candidates, scores) {
      const med = new Map<number, number>();
      for (const c of candidates) {
        const xs: number[] = [];
        for (const m of scores.values()) { const v = m.get(c.index); if (v !== undefined) xs.push(v); }
        med.set(c.index, medianScore(xs));
        reputation.set(c.index, ema(reputation.get(c.index), med.get(c.index)!));
      }
      const ranked = candidates.slice().sort((a, b) => med.get(b.index)! - med.get(a.index)! || a.index - b.index);
      const keep = Math.max(1, Math.ceil(s.consensus.acceptFraction * candidates.length - 1e-9));
      const acceptedSet = new Set(ranked.slice(0, keep).map((c) => c.index));
      const accepted: Candidate[] = candidates.filter((c) => acceptedSet.has(c.index));
      const rejected: Rejected[] = candidates.filter((c) => !acceptedSet.has(c.index)).map((c) => ({
        index: c.index, reason: 'committee_score', detail: `median score ${(med.get(c.index)! / 1e4).toFixed(2)} % below the accepted top ${keep}`,
      }));
      // next committee: election by score among accepted providers (or random), topped up at random
      let next = s.consensus.election === 'score'
        ? ranked.filter((c) => acceptedSet.has(c.index)).slice(0, size).map((c) => c.index)
        : choose([...acceptedSet], size, s.seed, round, 3);
      if (next.length < size) {
        const taken = new Set(next);
        next = next.concat(choose(all.filter((i) => !taken.has(i)), size - next.length, s.seed, round, 4));
      }
      if (candidates.length > 0) committee = next.sort((a, b) => a - b);
      return { accepted, rejected, params: aggregate(s, accepted, med), scores: med, reputation: new Map(reputation) };
    },
  };
}

/** The strategy a scenario asks for. */
export function strategyFor(s: Scenario): ConsensusStrategy {
  return s.consensus.engine === 'committee' ? committeeStrategy(s) : aggregationOnly(s);
}

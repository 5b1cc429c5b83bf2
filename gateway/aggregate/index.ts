// Aggregation rules by name; every rule is `AggregationRule` (rule.ts), pure and integer-exact.
import { fedAvg } from './fedavg.js';
import { median } from './median.js';
import { trimmedMean } from './trimmed-mean.js';
import { krum, multiKrum } from './krum.js';
import { topkScore } from './topk-score.js';
import { centeredClip } from './centered-clip.js';
import { fltrust } from './fltrust.js';
import type { AggregationRule } from './rule.js';

export type { AggregationRule, Contribution, RuleOptions } from './rule.js';
export { fedAvg, median, trimmedMean, krum, multiKrum, topkScore, centeredClip, fltrust };
export { weightedMean, divRoundHalfEven } from './weighted-mean.js';
export { krumScores, krumRanking, squaredDistance } from './krum.js';

export const AGGREGATORS = {
  fedavg: (u) => fedAvg(u),
  median: (u) => median(u),
  trimmedMean,
  krum,
  multiKrum,
  topkScore,
  centeredClip,
  fltrust,
} satisfies Record<string, AggregationRule>;

export type AggregatorName = keyof typeof AGGREGATORS;

/** Looks up a rule by name; throws with the list of known rules. */
export function aggregator(name: string): AggregationRule {
  const r = (AGGREGATORS as Record<string, AggregationRule>)[name];
  if (!r) throw new RangeError(`unknown aggregation rule ${name}; known: ${Object.keys(AGGREGATORS).join(', ')}`);
  return r;
}

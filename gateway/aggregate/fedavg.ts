// Sample-weighted FedAvg (McMahan et al. 2017) over integer parameter vectors.
// Integer-exact so every gateway produces byte-identical models:
// w = round_half_even(Σ n_i·w_i / Σ n_i) (see weighted-mean.ts).
import { weightedMean } from './weighted-mean.js';
import type { Contribution } from './rule.js';

export { divRoundHalfEven } from './weighted-mean.js';

/** One update's contribution: integer params and its sample count (weight). */
export type Weighted = Pick<Contribution, 'params' | 'n'>;

/** Sample-weighted average of equally long integer vectors. Throws on empty input, length
 *  mismatch or non-positive sample counts. @example fedAvg([{ params, n: 120 }, ...]) */
export function fedAvg(updates: Weighted[]): Int32Array {
  for (const u of updates) {
    if (!Number.isSafeInteger(u.n) || u.n <= 0) throw new RangeError('fedAvg: sample counts must be positive integers');
  }
  return weightedMean(updates.map((u) => u.params), updates.map((u) => u.n));
}

// Coordinate-wise β-trimmed mean (Yin et al. 2018): per coordinate drop the ⌊β·k⌋ largest and
// ⌊β·k⌋ smallest values and average the rest (unweighted, round-half-to-even). Order-independent.
import { checkUpdates, type Contribution, type RuleOptions } from './rule.js';
import { divRoundHalfEven } from './weighted-mean.js';

/** β-trimmed mean; `opts.trim` = β in [0, 0.5), default 0.1. */
export function trimmedMean(updates: Contribution[], opts: RuleOptions = {}): Int32Array {
  const len = checkUpdates(updates, 'trimmedMean');
  const beta = opts.trim ?? 0.1;
  if (!(beta >= 0 && beta < 0.5)) throw new RangeError('trimmedMean: trim must be in [0, 0.5)');
  const k = updates.length;
  const t = Math.floor(beta * k);
  const col = new Int32Array(k);
  const out = new Int32Array(len);
  const kept = k - 2 * t;
  for (let i = 0; i < len; i++) {
    for (let j = 0; j < k; j++) col[j] = updates[j].params[i];
    col.sort();
    let s = 0;
    for (let j = t; j < k - t; j++) s += col[j]; // |s| ≤ k·2^31 < 2^53 for k < 2^21
    out[i] = divRoundHalfEven(s, kept);
  }
  return out;
}

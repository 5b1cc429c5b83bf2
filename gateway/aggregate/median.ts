// Coordinate-wise median (Yin et al. 2018). For an even count the two middle values are
// averaged with round-half-to-even. Order-independent.
import { checkUpdates, type Contribution } from './rule.js';
import { divRoundHalfEven } from './weighted-mean.js';

/** Coordinate-wise median of the updates' parameters. */
export function median(updates: Contribution[]): Int32Array {
  const len = checkUpdates(updates, 'median');
  const k = updates.length;
  const col = new Int32Array(k);
  const out = new Int32Array(len);
  for (let i = 0; i < len; i++) {
    for (let j = 0; j < k; j++) col[j] = updates[j].params[i];
    col.sort();
    out[i] = k % 2 === 1 ? col[(k - 1) >> 1] : divRoundHalfEven(col[k / 2 - 1] + col[k / 2], 2);
  }
  return out;
}

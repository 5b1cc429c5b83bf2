// Sample-weighted FedAvg (McMahan et al. 2017) over integer parameter vectors.
// Integer-exact so every gateway produces byte-identical models: w = round_half_even(Σ n_i·w_i / Σ n_i),
// computed in BigInt-free exact arithmetic (|n_i·w_i| sums stay below 2^53, checked).

/** One update's contribution: integer params and its sample count (weight). */
export interface Weighted { params: Int32Array; n: number }

/** Integer division with round-half-to-even, for a safe-integer numerator and positive denominator. */
export function divRoundHalfEven(num: number, den: number): number {
  const q = Math.floor(num / den);
  const r = num - q * den; // 0 ≤ r < den
  const twice = 2 * r;
  if (twice > den || (twice === den && q % 2 !== 0)) return q + 1;
  return q;
}

/** Sample-weighted average of equally long integer vectors. Throws on empty input, length
 *  mismatch, non-positive weights or a sum that would leave exact double arithmetic. */
export function fedAvg(updates: Weighted[]): Int32Array {
  if (updates.length === 0) throw new RangeError('fedAvg needs at least one update');
  const len = updates[0].params.length;
  let total = 0;
  let maxAbs = 0;
  for (const u of updates) {
    if (u.params.length !== len) throw new RangeError('fedAvg: parameter vectors differ in length');
    if (!Number.isSafeInteger(u.n) || u.n <= 0) throw new RangeError('fedAvg: sample counts must be positive integers');
    total += u.n;
  }
  for (const u of updates) for (let i = 0; i < len; i++) maxAbs = Math.max(maxAbs, Math.abs(u.params[i]));
  if (total * maxAbs >= Number.MAX_SAFE_INTEGER) throw new RangeError('fedAvg: weighted sum exceeds 2^53');
  const out = new Int32Array(len);
  for (let i = 0; i < len; i++) {
    let s = 0;
    for (const u of updates) s += u.n * u.params[i];
    out[i] = divRoundHalfEven(s, total);
  }
  return out;
}

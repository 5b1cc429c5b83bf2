// Exact integer weighted mean with round-half-to-even, the arithmetic under FedAvg,
// Multi-Krum and score-weighted top-k. Uses doubles while every partial sum is an exact
// integer below 2^53, and BigInt otherwise; both paths give the same result.

/** Integer division with round-half-to-even, for a safe-integer numerator and positive denominator. */
export function divRoundHalfEven(num: number, den: number): number {
  const q = Math.floor(num / den);
  const r = num - q * den; // 0 ≤ r < den
  const twice = 2 * r;
  if (twice > den || (twice === den && q % 2 !== 0)) return q + 1;
  return q;
}

/** divRoundHalfEven for BigInts (positive denominator). */
export function divRoundHalfEvenBig(num: bigint, den: bigint): bigint {
  let q = num / den, r = num % den;
  if (r < 0n) { q -= 1n; r += den; }
  if (2n * r > den || (2n * r === den && (q & 1n) === 1n)) q += 1n;
  return q;
}

/** round_half_even(Σ wᵢ·vᵢ / Σ wᵢ) per coordinate. Weights are non-negative integers with a
 *  positive sum. Throws RangeError on empty input, length mismatch or bad weights. */
export function weightedMean(vectors: Int32Array[], weights: number[]): Int32Array {
  if (vectors.length === 0) throw new RangeError('weightedMean: needs at least one vector');
  if (weights.length !== vectors.length) throw new RangeError('weightedMean: one weight per vector');
  const len = vectors[0].length;
  let total = 0, maxAbs = 0;
  for (let j = 0; j < vectors.length; j++) {
    const w = weights[j];
    if (!Number.isSafeInteger(w) || w < 0) throw new RangeError('weightedMean: weights must be non-negative integers');
    if (vectors[j].length !== len) throw new RangeError('weightedMean: parameter vectors differ in length');
    total += w;
    for (let i = 0; i < len; i++) { const a = Math.abs(vectors[j][i]); if (a > maxAbs) maxAbs = a; }
  }
  if (total <= 0) throw new RangeError('weightedMean: weights sum to zero');
  const out = new Int32Array(len);
  if (total * maxAbs < Number.MAX_SAFE_INTEGER) {
    // vector by vector (sequential memory; coordinate by coordinate strode across every vector,
    // 2 s at 10,000 updates): every partial sum is an exact integer, so the order is immaterial
    const sum = new Float64Array(len);
    for (let j = 0; j < vectors.length; j++) {
      const w = weights[j], v = vectors[j];
      for (let i = 0; i < len; i++) sum[i] += w * v[i];
    }
    for (let i = 0; i < len; i++) out[i] = divRoundHalfEven(sum[i], total);
    return out;
  }
  const bw = weights.map(BigInt), bt = BigInt(total);
  for (let i = 0; i < len; i++) {
    let s = 0n;
    for (let j = 0; j < vectors.length; j++) s += bw[j] * BigInt(vectors[j][i]);
    out[i] = Number(divRoundHalfEvenBig(s, bt));
  }
  return out;
}

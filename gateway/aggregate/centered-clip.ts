// Centered clipping (Karimireddy, He & Jaggi, "Learning from history for Byzantine robust
// optimization", ICML 2021, Eq. 2): starting from a centre v, repeat L times
//   v ← v + Σ nᵢ·clip_τ(xᵢ − v) / Σ nᵢ,   clip_τ(d) = d·min(1, τ/‖d‖₂),
// so no update moves the result by more than τ (weighted by its share). The paper centres on
// the previous aggregate (momentum); a stateless rule has only this round's updates, so the
// centre is their coordinate-wise median (median.ts), and τ is the median of the updates'
// distances from it (robust while fewer than half are Byzantine) unless opts.tau is given.
// Integer-exact: norms are integer square roots of exact BigInt squared distances, each clipped
// coordinate is round_half_even(dⱼ·τ / ⌊‖d‖⌋), and the weighted mean rounds half to even, so
// every gateway gets the same bytes.
import { checkUpdates, type Contribution, type RuleOptions } from './rule.js';
import { median } from './median.js';
import { squaredDistance } from './krum.js';
import { divRoundHalfEvenBig as divHalfEven } from './weighted-mean.js';

/** ⌊√n⌋ for a non-negative BigInt (Newton's method). */
export function isqrt(n: bigint): bigint {
  if (n < 0n) throw new RangeError('isqrt: negative');
  if (n < 2n) return n;
  let x = BigInt(Math.floor(Math.sqrt(Number(n)))) + 1n;
  // one Newton step lands at or above ⌊√n⌋ (AM–GM) wherever the double estimate was (it is off
  // for n beyond 2^106); from above, Newton descends to ⌊√n⌋; the loops below make it exact
  const y0 = (x + n / x) >> 1n;
  if (y0 > x) x = y0 + 1n;
  for (let y = (x + n / x) >> 1n; y < x; y = (x + n / x) >> 1n) x = y;
  while (x * x > n) x -= 1n;
  while ((x + 1n) * (x + 1n) <= n) x += 1n;
  return x;
}

/** The lower median of integer norms ⌊‖xᵢ − c‖⌋. */
export function medianRadius(updates: readonly Contribution[], center: Int32Array): bigint {
  const r = updates.map((u) => isqrt(squaredDistance(u.params, center))).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return r[(r.length - 1) >> 1];
}

/** One clipping step from centre `v` with radius `tau` (sample-weighted). */
export function clipStep(updates: readonly Contribution[], v: Int32Array, tau: bigint): Int32Array {
  const len = v.length;
  const acc = new Array<bigint>(len).fill(0n);
  let total = 0n;
  for (const u of updates) {
    const w = BigInt(u.n);
    total += w;
    const nrm = isqrt(squaredDistance(u.params, v));
    const clip = nrm > tau;
    for (let i = 0; i < len; i++) {
      const d = BigInt(u.params[i] - v[i]);
      acc[i] += w * (clip ? divHalfEven(d * tau, nrm) : d);
    }
  }
  const out = new Int32Array(len);
  for (let i = 0; i < len; i++) out[i] = v[i] + Number(divHalfEven(acc[i], total));
  return out;
}

/** Centered clipping around the coordinate-wise median. opts.iters = L (default 3),
 *  opts.tau = fixed radius in parameter units (default: the median distance from the centre).
 *  Throws on empty input, length mismatch or non-positive sample counts.
 *  @example centeredClip([{ params, n: 40 }, ...], { iters: 2 }) */
export function centeredClip(updates: Contribution[], opts: RuleOptions = {}): Int32Array {
  checkUpdates(updates, 'centeredClip');
  for (const u of updates) if (!Number.isSafeInteger(u.n) || u.n <= 0) throw new RangeError('centeredClip: sample counts must be positive integers');
  const iters = opts.iters ?? 3;
  if (!Number.isInteger(iters) || iters < 1 || iters > 100) throw new RangeError('centeredClip: iters must be an integer in [1, 100]');
  let v = median(updates);
  const tau = opts.tau !== undefined ? BigInt(opts.tau) : medianRadius(updates, v);
  if (tau < 0n) throw new RangeError('centeredClip: tau must be non-negative');
  for (let l = 0; l < iters; l++) v = clipStep(updates, v, tau);
  return v;
}

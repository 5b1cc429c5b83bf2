// Shared arithmetic of the collective (optimised) attacks: the colluders' honest deltas from
// the round's global model, their coordinate-wise mean and standard deviation, Euclidean
// distances, and the per-attacker jitter that keeps crafted updates from being exact copies.
// Attacker-side code: doubles are fine here (nothing a gateway recomputes depends on them).
import type { ModelHeader } from '../../protocol/model-blob.js';
import type { Rng } from '../../boards/data/rng.js';
import { addGaussian } from './attack.js';

/** Δ_i = honest_i − global, as doubles. */
export function deltas(honest: readonly Int32Array[], global: Int32Array): Float64Array[] {
  return honest.map((h) => { const d = new Float64Array(global.length); for (let i = 0; i < d.length; i++) d[i] = h[i] - global[i]; return d; });
}

/** Coordinate-wise mean and (population) standard deviation of equally long vectors. */
export function meanStd(vs: readonly Float64Array[]): { mean: Float64Array; std: Float64Array } {
  if (vs.length === 0) throw new RangeError('meanStd: needs at least one vector');
  const len = vs[0].length, k = vs.length, mean = new Float64Array(len), std = new Float64Array(len);
  for (const v of vs) for (let i = 0; i < len; i++) mean[i] += v[i] / k;
  for (const v of vs) for (let i = 0; i < len; i++) std[i] += (v[i] - mean[i]) ** 2 / k;
  for (let i = 0; i < len; i++) std[i] = Math.sqrt(std[i]);
  return { mean, std };
}

/** ‖a − b‖². */
export function dist2(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return s;
}

/** ‖a‖. */
export function norm(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return Math.sqrt(s);
}

/** global + Δ, rounded to integer parameters. */
export function applyDelta(global: Int32Array, d: ArrayLike<number>): Int32Array {
  const out = new Int32Array(global.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.round(global[i] + d[i]);
  return out;
}

/** Per-attacker jitter: N(0, σ²) in int8 weight steps (params.jitter), so colluders that share
 *  one crafted vector do not send byte-identical updates a copy detector would catch. */
export function jitter(crafted: Int32Array, header: ModelHeader, sigma: number, rng: Rng): Int32Array {
  return sigma > 0 ? addGaussian(crafted, header, sigma, rng) : Int32Array.from(crafted);
}

// FLTrust-style direction trust with the committee's data as the root dataset (FLTrust, Cao et
// al., NDSS 2021 §IV; BFLC seed 002 §III: the committee validates with its own data). Each
// committee member trains one reference update on its own data from the round's global model,
// published like any update; the root direction g₀ is the sum of the members' unit deltas (so
// no member weighs more than 1/M, whatever its norm), the reference norm ‖g₀‖ the members'
// lower-median delta norm, and a candidate's trust TSᵢ = ReLU(cos(gᵢ, g₀)) in ppm (the engine
// may admit down to a negative cosine floor and aggregate with a rule that does not weight by
// trust, e.g. centered clipping). Integer and deterministic: every gateway recomputes the same trust from the same signed updates.
import { squaredDistance } from '../aggregate/krum.js';
import { isqrt } from '../aggregate/centered-clip.js';
import { divRoundHalfEvenBig as divHalfEven } from '../aggregate/weighted-mean.js';

/** Fixed-point length of a member's unit delta in the root (2^20). */
export const UNIT = 1 << 20;

const PPM = 1_000_000n;

/** The root direction Σₘ UNIT·Δₘ/⌊‖Δₘ‖⌋ (rounded half to even per coordinate) over the members'
 *  reference parameters, and the lower median of their delta norms. Zero deltas are skipped;
 *  undefined when no member has a non-zero delta. Throws RangeError on length mismatch. */
export function rootOf(base: Int32Array, refs: readonly Int32Array[]): { root: Int32Array; refNorm: number } | undefined {
  const root = new Int32Array(base.length);
  const norms: bigint[] = [];
  for (const r of refs) {
    if (r.length !== base.length) throw new RangeError('rootOf: reference length differs from the base');
    const n = isqrt(squaredDistance(r, base));
    if (n === 0n) continue;
    norms.push(n);
    const nn = Number(n);
    for (let i = 0; i < base.length; i++) root[i] += Number(divHalfEven(BigInt(r[i] - base[i]) * BigInt(UNIT), BigInt(nn)));
  }
  if (norms.length === 0) return undefined;
  norms.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return { root, refNorm: Number(norms[(norms.length - 1) >> 1]) };
}

/** cos(params − base, root) in ppm, rounded toward zero, in [−1e6, 1e6]; 0 for a zero delta or root. */
export function cosPpm(params: Int32Array, base: Int32Array, root: Int32Array): number {
  let dot = 0n, dd = 0n, rr = 0n;
  for (let i = 0; i < base.length; i++) {
    const d = BigInt(params[i] - base[i]), r = BigInt(root[i]);
    dot += d * r; dd += d * d; rr += r * r;
  }
  if (dd === 0n || rr === 0n) return 0;
  // exactly ⌊|cos|·1e6⌋ = ⌊√(⌊dot²·1e12 / (dd·rr)⌋)⌋, with the sign of dot (toward zero)
  const t = isqrt((dot * dot * PPM * PPM) / (dd * rr));
  const v = t > PPM ? PPM : t;
  return Number(dot < 0n ? -v : v);
}

/** FLTrust's trust score TS = ReLU(cos(params − base, root)) in ppm. */
export function trustPpm(params: Int32Array, base: Int32Array, root: Int32Array): number {
  return Math.max(0, cosPpm(params, base, root));
}

/** The committee-median variant (robust to a colluding minority of members): the cosine of the
 *  candidate's delta with each member's own reference delta, and of those the ⌈M/2⌉-th lowest,
 *  a missing or zero reference counting as −1e6 (as committee.ts's lower median counts a missing
 *  score as 0). So a candidate passes a floor exactly when more than M/2 members' references
 *  agree with it, and colluders need a majority of the seats, as for scores (seed 002 §III). */
export function medianCosPpm(params: Int32Array, base: Int32Array, refs: readonly Int32Array[], committeeSize: number): number {
  if (refs.length > committeeSize) throw new RangeError('medianCosPpm: more references than committee members');
  const cs = refs.map((r) => (isqrt(squaredDistance(r, base)) === 0n ? -1_000_000 : cosPpm(params, base, r.map((v, i) => v - base[i]))));
  while (cs.length < committeeSize) cs.push(-1_000_000);
  cs.sort((a, b) => a - b);
  return cs[Math.ceil(committeeSize / 2) - 1];
}

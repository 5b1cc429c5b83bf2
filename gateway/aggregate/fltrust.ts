// FLTrust aggregation (Cao, Fang, Liu & Gong, "FLTrust: Byzantine-robust federated learning
// via trust bootstrapping", NDSS 2021, Eq. 2–4): every update's delta from the round's base
// model is rescaled to the reference norm ‖g₀‖ (the trusted root update's), then averaged with
// weights equal to its trust score TSᵢ = ReLU(cos(gᵢ, g₀)):
//   w ← w_base + Σ TSᵢ · (‖g₀‖/‖gᵢ‖)·gᵢ / Σ TSᵢ.
// Here the trust scores arrive as each contribution's `score` (ppm, computed by the engine
// from the committee's reference updates, gateway/consensus/trust.ts), the base and ‖g₀‖ as
// opts.base and opts.refNorm. Integer-exact: ⌊‖gᵢ‖⌋ is an integer square root, each rescaled
// coordinate rounds half to even, and so does the weighted mean. With all trust zero the
// result is the base model (nothing trusted moved it).
import { checkUpdates, type Contribution, type RuleOptions } from './rule.js';
import { squaredDistance } from './krum.js';
import { isqrt } from './centered-clip.js';
import { divRoundHalfEvenBig as divHalfEven } from './weighted-mean.js';

/** FLTrust's normalised, trust-weighted mean. Needs opts.base (same length as the updates) and
 *  opts.refNorm (a non-negative integer); scores are the trust weights (non-negative integers).
 *  Throws RangeError when they are missing or malformed.
 *  @example fltrust([{ params, n: 40, score: 730000 }], { base, refNorm: 51234 }) */
export function fltrust(updates: Contribution[], opts: RuleOptions = {}): Int32Array {
  const len = checkUpdates(updates, 'fltrust');
  const base = opts.base;
  if (!base || base.length !== len) throw new RangeError('fltrust: needs opts.base, the round\'s global parameters');
  if (opts.refNorm === undefined || !Number.isSafeInteger(opts.refNorm) || opts.refNorm < 0) throw new RangeError('fltrust: needs opts.refNorm, a non-negative integer');
  const ref = BigInt(opts.refNorm);
  const acc = new Array<bigint>(len).fill(0n);
  let total = 0n;
  for (const u of updates) {
    const s = u.score ?? 0;
    if (!Number.isSafeInteger(s) || s < 0) throw new RangeError('fltrust: trust scores must be non-negative integers');
    if (s === 0) continue;
    const nrm = isqrt(squaredDistance(u.params, base));
    if (nrm === 0n) continue; // a zero delta has no direction (cos undefined): it adds nothing
    const w = BigInt(s);
    total += w;
    for (let i = 0; i < len; i++) acc[i] += w * divHalfEven(BigInt(u.params[i] - base[i]) * ref, nrm);
  }
  const out = Int32Array.from(base);
  if (total === 0n) return out;
  for (let i = 0; i < len; i++) out[i] = base[i] + Number(divHalfEven(acc[i], total));
  return out;
}

// An adaptive attacker that knows the defence's threshold (the defence-aware setting of
// Shejwalkar & Houmansadr, NDSS 2021 §IV-A, and of Karimireddy et al., ICML 2021 §5 for
// clipping): norm-based defences (norm clipping, centered clipping, FLTrust's normalisation)
// accept or clip an update by its distance from the centre, with a threshold τ they derive
// from the honest updates (here: the median honest delta norm). The colluders estimate τ from
// their own honest deltas and send the most harmful direction they know — the reversed honest
// mean, −unit(μ) — at exactly the threshold, scaled by params.margin (default 0.99), so clipping
// leaves it untouched while it pulls against training as hard as the rule allows. Against a
// committee with an accuracy threshold this is a bounded backward step of honest-update size.
// params.jitter as in alie.ts.
import type { Attack } from './attack.js';
import { applyDelta, deltas, jitter, meanStd, norm } from './stats.js';

/** The median of the honest delta norms (lower median): the attacker's estimate of τ. */
export function estimatedThreshold(ds: readonly Float64Array[]): number {
  const ns = ds.map(norm).sort((a, b) => a - b);
  return ns[Math.floor((ns.length - 1) / 2)];
}

export const adaptive: Attack = {
  trains: true,
  collective: (honest, c) => {
    const ds = deltas(honest, c.global);
    const { mean } = meanStd(ds);
    const n = norm(mean);
    if (n === 0) return Int32Array.from(c.global);
    const scale = (c.params.margin ?? 0.99) * estimatedThreshold(ds) / n;
    return applyDelta(c.global, mean.map((x) => -scale * x));
  },
  personalize: (crafted, c) => jitter(crafted, c.header, c.params.jitter ?? 0.05, c.rng),
};

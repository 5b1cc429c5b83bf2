// Min-max and min-sum (Shejwalkar & Houmansadr, "Manipulating the Byzantine", NDSS 2021,
// §IV-B, AGR-agnostic, Eq. 6 and 7): the colluders compute the mean μ of the honest deltas they
// can see (their own honest training this round) and a perturbation p (params.dir: 0 = −std,
// the paper's best, 1 = −unit(μ), 2 = −sign(μ)), then send μ + γ·p with the largest γ such that
//   min-max: max_i ‖μ + γp − Δ_i‖  ≤ max_{i,j} ‖Δ_i − Δ_j‖
//   min-sum: Σ_i ‖μ + γp − Δ_i‖²   ≤ max_i Σ_j ‖Δ_i − Δ_j‖²
// i.e. as far from the mean as an honest update is from the others. γ by the paper's halving
// search from γ_init = params.gamma (default 10) to precision 1e-5 (Algorithm 1).
import type { Attack } from './attack.js';
import { applyDelta, deltas, dist2, jitter, meanStd, norm } from './stats.js';

/** The perturbation direction p (see the file comment). */
export function perturbation(mean: Float64Array, std: Float64Array, dir: number): Float64Array {
  if (dir === 1) { const n = norm(mean) || 1; return mean.map((x) => -x / n); }
  if (dir === 2) return mean.map((x) => -Math.sign(x));
  return std.map((x) => -x);
}

/** Largest γ in [0, ∞) the halving search accepts for predicate ok(γ) (Algorithm 1 of the paper). */
export function searchGamma(ok: (g: number) => boolean, init = 10, tol = 1e-5): number {
  let gamma = init, step = init / 2, best = 0;
  while (Math.abs(gamma - best) > tol && step > tol / 2) {
    if (ok(gamma)) { best = gamma; gamma += step; } else gamma -= step;
    step /= 2;
  }
  return ok(gamma) ? Math.max(best, gamma) : best;
}

/** The crafted delta μ + γ·p for `kind` over the visible honest deltas. */
export function craftMinMax(ds: readonly Float64Array[], kind: 'max' | 'sum', dir = 0, init = 10): { delta: Float64Array; gamma: number } {
  const { mean, std } = meanStd(ds);
  const p = perturbation(mean, std, dir);
  const at = (g: number) => mean.map((x, i) => x + g * p[i]);
  let bound = 0;
  for (const a of ds) {
    let rowMax = 0, rowSum = 0;
    for (const b of ds) { const d = dist2(a, b); rowMax = Math.max(rowMax, d); rowSum += d; }
    bound = Math.max(bound, kind === 'max' ? rowMax : rowSum);
  }
  const ok = (g: number) => {
    const m = at(g);
    let agg = 0;
    for (const a of ds) { const d = dist2(m, a); agg = kind === 'max' ? Math.max(agg, d) : agg + d; }
    return agg <= bound;
  };
  const gamma = searchGamma(ok, init);
  return { delta: at(gamma), gamma };
}

const make = (kind: 'max' | 'sum'): Attack => ({
  trains: true,
  collective: (honest, c) => applyDelta(c.global, craftMinMax(deltas(honest, c.global), kind, c.params.dir ?? 0, c.params.gamma ?? 10).delta),
  personalize: (crafted, c) => jitter(crafted, c.header, c.params.jitter ?? 0.05, c.rng),
});

export const minMax: Attack = make('max');
export const minSum: Attack = make('sum');

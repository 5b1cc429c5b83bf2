// "A little is enough" (Baruch, Baruch & Goldberg, NeurIPS 2019): colluders train honestly,
// pool their updates, and all send μ − z·σ (coordinate-wise mean and standard deviation of the
// pooled updates): a small, consistent shift that stays inside the benign spread. z comes from
// the paper's formula s = ⌊n/2 + 1⌋ − m, z = Φ⁻¹((n − s)/n) for n trainers and m colluders,
// unless params.z is given.
import type { Attack } from './attack.js';

/** Inverse standard normal CDF (Acklam's rational approximation, |error| < 1.2e-9). */
export function normInv(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError('normInv: p must be in (0, 1)');
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (p < lo) { const q = Math.sqrt(-2 * Math.log(p)); return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1); }
  if (p > 1 - lo) return -normInv(1 - p);
  const q = p - 0.5, r = q * q;
  return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

/** Baruch et al.'s z for n trainers of which m collude (at least 0.1 so the shift is not nil). */
export function lieZ(n: number, m: number): number {
  const s = Math.floor(n / 2 + 1) - m;
  const p = (n - s) / n;
  return p > 0 && p < 1 ? Math.max(0.1, normInv(p)) : 1;
}

export const littleIsEnough: Attack = {
  trains: true,
  collective: (honest, c) => {
    const z = c.params.z ?? lieZ(c.trainers, c.colluders);
    const len = c.global.length, k = honest.length, out = new Int32Array(len);
    for (let i = 0; i < len; i++) {
      let s = 0, s2 = 0;
      for (const h of honest) { s += h[i]; s2 += h[i] * h[i]; }
      const mu = s / k, sd = Math.sqrt(Math.max(0, s2 / k - mu * mu));
      out[i] = Math.round(mu - z * sd);
    }
    return out;
  },
};

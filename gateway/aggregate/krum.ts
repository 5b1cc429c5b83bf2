// Krum and Multi-Krum (Blanchard et al. 2017). score(i) = Σ of the squared Euclidean distances
// from update i to its k−f−2 nearest neighbours; Krum returns the update with the lowest
// score, Multi-Krum the sample-weighted mean of the m lowest. Distances are exact integers
// (BigInt), ties go to the earlier update (callers pass updates in canonical order).
import { checkUpdates, type Contribution, type RuleOptions } from './rule.js';
import { weightedMean } from './weighted-mean.js';

/** Exact ‖a − b‖² as a BigInt. Each diff d (|d| < 2^32) is split as d = h·2^16 + l so the three
 *  partial sums Σh², Σ2hl, Σl² stay exact in doubles for vectors up to 2^20 long. */
export function squaredDistance(a: Int32Array, b: Int32Array): bigint {
  let hh = 0, hl = 0, ll = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    const h = Math.trunc(d / 65536), l = d - h * 65536;
    hh += h * h; hl += 2 * h * l; ll += l * l;
  }
  return (BigInt(hh) << 32n) + (BigInt(hl) << 16n) + BigInt(ll);
}

/** Krum scores of every update, for `f` assumed Byzantine updates. */
export function krumScores(updates: Contribution[], f: number): bigint[] {
  checkUpdates(updates, 'krum');
  const k = updates.length;
  if (!Number.isInteger(f) || f < 0) throw new RangeError('krum: f must be a non-negative integer');
  const nearest = Math.max(1, k - f - 2);
  const dist: bigint[][] = Array.from({ length: k }, () => new Array<bigint>(k).fill(0n));
  for (let i = 0; i < k; i++) for (let j = i + 1; j < k; j++) {
    const d = squaredDistance(updates[i].params, updates[j].params);
    dist[i][j] = d; dist[j][i] = d;
  }
  return dist.map((row, i) => {
    const others = row.filter((_, j) => j !== i).sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
    return others.slice(0, Math.min(nearest, others.length)).reduce((s, x) => s + x, 0n);
  });
}

/** Indices of updates by ascending Krum score (stable: ties keep input order). */
export function krumRanking(updates: Contribution[], f: number): number[] {
  const s = krumScores(updates, f);
  return s.map((_, i) => i).sort((a, b) => (s[a] < s[b] ? -1 : s[a] > s[b] ? 1 : a - b));
}

/** Krum: the parameters of the single lowest-score update. `opts.f` defaults to ⌊(k−3)/2⌋. */
export function krum(updates: Contribution[], opts: RuleOptions = {}): Int32Array {
  const f = opts.f ?? Math.max(0, Math.floor((updates.length - 3) / 2));
  return Int32Array.from(updates[krumRanking(updates, f)[0]].params);
}

/** Multi-Krum: sample-weighted mean of the `opts.m` lowest-score updates (default k − f). */
export function multiKrum(updates: Contribution[], opts: RuleOptions = {}): Int32Array {
  const f = opts.f ?? Math.max(0, Math.floor((updates.length - 3) / 2));
  const m = opts.m ?? Math.max(1, updates.length - f);
  if (!Number.isInteger(m) || m < 1) throw new RangeError('multiKrum: m must be a positive integer');
  const chosen = krumRanking(updates, f).slice(0, m).map((i) => updates[i]);
  return weightedMean(chosen.map((u) => u.params), chosen.map((u) => u.n));
}

// Jaccard k-means (seed 001 (PoQ) §III-A: "Jaccard similarity as the distance function to
// cluster documents with k-means"). On weighted vectors the Jaccard similarity is the
// Ruzicka form J(a, b) = Σ min(a_i, b_i) / Σ max(a_i, b_i) (Jaccard's coefficient when the
// weights are 0/1), the distance 1 − J. Centroids are the members' means; the first centres
// are drawn by k-means++ (probability ∝ distance²) from a seeded generator. Deterministic in
// the seed. Pure.
import { Rng } from '../data/rng.js';

/** Weighted Jaccard similarity of rows a and b (1 when both are all-zero). */
export function jaccard(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let mn = 0, mx = 0;
  for (let i = 0; i < a.length; i++) { const x = a[i], y = b[i]; if (x < y) { mn += x; mx += y; } else { mn += y; mx += x; } }
  return mx === 0 ? 1 : mn / mx;
}

export interface Clustering { k: number; assign: Uint16Array; centroids: Float64Array[]; iterations: number }

/** Clusters the n rows of `x` (n × dim, row-major) into k categories. Throws RangeError. */
export function jaccardKMeans(x: Uint8Array | Float64Array, n: number, dim: number, k: number, seed: number, maxIter = 20): Clustering {
  if (!Number.isInteger(k) || k < 1 || k > n) throw new RangeError(`k = ${k} must be in [1, ${n}]`);
  const row = (i: number) => x.subarray(i * dim, (i + 1) * dim);
  const rng = new Rng(seed);
  const centroids: Float64Array[] = [Float64Array.from(row(rng.int(n)))];
  const d2 = new Float64Array(n).fill(Infinity);
  while (centroids.length < k) {
    const c = centroids[centroids.length - 1];
    let total = 0;
    for (let i = 0; i < n; i++) { const d = 1 - jaccard(row(i), c); d2[i] = Math.min(d2[i], d * d); total += d2[i]; }
    let r = rng.float() * total, pick = n - 1;
    for (let i = 0; i < n; i++) { r -= d2[i]; if (r <= 0) { pick = i; break; } }
    centroids.push(Float64Array.from(row(pick)));
  }
  const assign = new Uint16Array(n);
  let it = 0;
  for (; it < maxIter; it++) {
    let moved = 0;
    for (let i = 0; i < n; i++) {
      const r = row(i);
      let best = 0, bs = -1;
      for (let c = 0; c < k; c++) { const s = jaccard(r, centroids[c]); if (s > bs) { bs = s; best = c; } }
      if (assign[i] !== best || it === 0) { moved += assign[i] !== best ? 1 : 0; assign[i] = best; }
    }
    const sums = Array.from({ length: k }, () => new Float64Array(dim));
    const counts = new Uint32Array(k);
    for (let i = 0; i < n; i++) { const s = sums[assign[i]], r = row(i); counts[assign[i]]++; for (let j = 0; j < dim; j++) s[j] += r[j]; }
    for (let c = 0; c < k; c++) if (counts[c] > 0) { for (let j = 0; j < dim; j++) sums[c][j] /= counts[c]; centroids[c] = sums[c]; }
    if (it > 0 && moved === 0) break;
  }
  return { k, assign, centroids, iterations: it + 1 };
}

/** The category of a vector: the centroid of highest Jaccard similarity (ties: lowest index). */
export function nearestCategory(v: ArrayLike<number>, centroids: readonly Float64Array[]): number {
  let best = 0, bs = -1;
  centroids.forEach((c, i) => { const s = jaccard(v, c); if (s > bs) { bs = s; best = i; } });
  return best;
}

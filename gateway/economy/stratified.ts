// Stratified Shapley estimation (Castro et al., "Improving polynomial estimation of the Shapley
// value by stratified random sampling", 2017; Maleki et al., 2013). Eq. 2 groups the marginal
// contributions of participant i by the size k of the coalition it joins:
//   φ_i = (1/n) Σ_{k=0}^{n−1} μ_{i,k},  μ_{i,k} = mean over |S| = k, i ∉ S of v(S∪i) − v(S).
// The strata at the edges are cheap to compute exactly (sizes 0, 1, n−1, n need 2n + 2
// coalitions; adding 2 and n−2 brings that to ~n²) and carry the largest and most variable
// gains (a participant alone vs. joining everyone), so this method evaluates them exactly and
// samples only the middle strata, with orders rotated so that every participant lands in every
// middle position equally often. Integer sums in BigInt, floored division, seeded sampler.
import { Rng } from '../../boards/data/rng.js';
import { CountingGame, shuffle, floorDiv, type Game, type ShapleyResult } from './shapley.js';

export interface StratifiedOptions {
  seed: number;
  /** Most distinct coalition evaluations (default 2^n / 4). */
  budget?: number;
  /** Share of the budget the exact edge strata may use, ppm (default 400,000). */
  exactShare?: number;
}

function binom(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return Math.round(r);
}

/** All masks of `size` bits among n. */
function masksOfSize(n: number, size: number): number[] {
  const out: number[] = [];
  const rec = (start: number, left: number, m: number) => {
    if (left === 0) { out.push(m); return; }
    for (let i = start; i <= n - left; i++) rec(i + 1, left - 1, m | (1 << i));
  };
  rec(0, size, 0);
  return out;
}

/** Stratified Shapley: exact edge strata, rotated-order sampling of the middle ones.
 *  @example stratifiedShapley(game, { seed: 1, budget: 256 }) */
export function stratifiedShapley(game: Game, o: StratifiedOptions): ShapleyResult {
  const g = game instanceof CountingGame ? game : new CountingGame(game);
  const n = g.n, all = Array.from({ length: n }, (_, i) => i);
  const budget = o.budget ?? Math.max(2 * n + 2, Math.floor(2 ** n / 4));
  const exactCap = Math.floor((budget * (o.exactShare ?? 400_000)) / 1_000_000);
  // 1. exact strata, cheapest first (k = 0, n−1, 1, n−2, …), while their coalitions fit
  const exact = new Set<number>(), sizes = new Set<number>();
  const order: number[] = [];
  for (let a = 0, b = n - 1; a <= b; a++, b--) { order.push(a); if (b !== a) order.push(b); }
  let planned = 0;
  for (const k of order) {
    const extra = [k, k + 1].filter((s) => !sizes.has(s)).reduce((x, s) => x + binom(n, s), 0);
    if (planned + extra > exactCap) break;
    planned += extra; exact.add(k); sizes.add(k); sizes.add(k + 1);
  }
  // μ sums and counts per participant and stratum
  const sum = all.map(() => new Array<bigint>(n).fill(0n)), cnt = all.map(() => new Array<number>(n).fill(0));
  for (const k of exact) {
    for (const m of masksOfSize(n, k)) {
      const v = BigInt(g.value(m));
      for (let i = 0; i < n; i++) if (!(m & (1 << i))) { sum[i]![k]! += BigInt(g.value(m | (1 << i))) - v; cnt[i]![k]!++; }
    }
  }
  // 2. the middle strata, by rotated random orders (each participant at each position once per cycle)
  const middle = all.filter((k) => !exact.has(k));
  const rng = new Rng(o.seed);
  let perms = 0, cycle = all;
  const worst = middle.length ? Math.min(n + 1, 2 * middle.length) : 0;
  while (middle.length && g.evaluations + worst <= budget) {
    // pairs of an order and its reverse (antithetic: i's position k and n−1−k), over rotations
    const q = perms >> 1;
    if (perms % 2 === 0 && q % n === 0) cycle = shuffle(rng, all);
    const r = q % n, fwd = [...cycle.slice(r), ...cycle.slice(0, r)];
    const ord = perms % 2 === 0 ? fwd : fwd.reverse();
    let mask = 0;
    for (let k = 0; k < n; k++) {
      const i = ord[k]!;
      if (!exact.has(k)) { sum[i]![k]! += BigInt(g.value(mask | (1 << i))) - BigInt(g.value(mask)); cnt[i]![k]!++; }
      mask |= 1 << i;
    }
    perms++;
  }
  // 3. φ_i = (1/n) Σ_k μ_{i,k}; a stratum participant i was never sampled in borrows the mean of
  //    that stratum over everyone (as a common rational: Σ sums / Σ counts).
  const phi = all.map((i) => {
    let num = 0n, den = 1n;
    for (let k = 0; k < n; k++) {
      let s = sum[i]![k]!, c = BigInt(cnt[i]![k]!);
      if (c === 0n) { s = all.reduce((x, j) => x + sum[j]![k]!, 0n); c = BigInt(all.reduce((x, j) => x + cnt[j]![k]!, 0)); }
      if (c === 0n) continue;
      // num/den + s/c, kept as one exact fraction
      num = num * c + s * den; den = den * c;
      const gcd = gcdBig(num < 0n ? -num : num, den);
      if (gcd > 1n) { num /= gcd; den /= gcd; }
    }
    return Number(floorDiv(num, den * BigInt(n)));
  });
  return { method: 'stratified', phi, evaluations: g.evaluations, permutations: perms };
}

function gcdBig(a: bigint, b: bigint): bigint {
  while (b) [a, b] = [b, a % b];
  return a;
}

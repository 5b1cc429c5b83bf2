// Shapley values of a round's participants (seed 003 (Wang et al.) Eq. 1-2): φ_i is the mean
// marginal contribution v(S ∪ i) − v(S) of participant i over all orders in which the round's
// participants could join. Three methods over one cooperative game:
//   exact  — all 2^n coalitions, φ_i = Σ_{S ⊆ N∖i} |S|!(n−|S|−1)!/n! · (v(S∪i) − v(S));
//   tmc    — truncated Monte-Carlo permutation sampling (Ghorbani & Zou, "Data Shapley", 2019):
//            random orders; once a prefix's value is within `truncation` of v(N), the rest of
//            the order contributes 0 and is not evaluated;
//   gtg    — GTG-Shapley (Liu et al., 2022): between-round truncation (a round whose total gain
//            |v(N) − v(∅)| is below `epsilon` gives everyone 0), guided sampling (order k starts
//            with participant k mod n, so every participant leads equally often), within-round
//            truncation as in tmc, and a convergence stop.
// Values are integers (the value function is integer-exact, value.ts); sums are BigInt and
// every division floors (toward −∞), so every gateway computes the same φ from the same seed.
import { Rng } from '../../boards/data/rng.js';
import { largestRemainder, PPM as PPM_N } from '../ledger/split.js';

/** Largest round the exact method accepts (2^n coalition evaluations). */
export const MAX_EXACT = 20;
/** Largest number of participants a game may have (coalitions are 31-bit masks). */
export const MAX_PLAYERS = 30;
const PPM = 1_000_000n;

/** A cooperative game: `value(mask)` is the integer worth of the coalition whose members are the
 *  set bits of `mask` (bit i = participant i). Must be deterministic. */
export interface Game { n: number; value(mask: number): number }

/** Memoizes a game and counts distinct coalitions evaluated (the cost every method reports). */
export class CountingGame implements Game {
  readonly n: number;
  private memo = new Map<number, number>();
  constructor(private g: Game) {
    if (!Number.isInteger(g.n) || g.n < 1 || g.n > MAX_PLAYERS) throw new RangeError(`a game has 1..${MAX_PLAYERS} participants, not ${g.n}`);
    this.n = g.n;
  }
  /** Whether `mask` was already evaluated (it then costs nothing). */
  has(mask: number): boolean { return this.memo.has(mask); }
  /** Distinct coalitions evaluated so far. */
  get evaluations(): number { return this.memo.size; }
  value(mask: number): number {
    let v = this.memo.get(mask);
    if (v === undefined) {
      v = this.g.value(mask);
      if (!Number.isSafeInteger(v)) throw new RangeError(`coalition value ${v} is not a safe integer`);
      this.memo.set(mask, v);
    }
    return v;
  }
}

export type ShapleyMethod = 'exact' | 'tmc' | 'gtg' | 'stratified';

/** Settings of the sampling methods. `budget` caps distinct coalition evaluations (a method
 *  stops before the permutation that would exceed it is finished, keeping only full orders). */
export interface SamplingOptions {
  /** Seed of the order sampler (from the chain: shapleySeed). */
  seed: number;
  /** Most permutations to sample (default 50·n). */
  permutations?: number;
  /** Most distinct coalition evaluations (default unlimited). */
  budget?: number;
  /** Within-round truncation: stop an order once |v(N) − v(prefix)| ≤ truncation · |v(N) − v(∅)|,
   *  ppm (default 10,000 = 1 %). */
  truncation?: number;
  /** GTG between-round truncation: |v(N) − v(∅)| ≤ epsilon gives all 0 (value units, default 0). */
  epsilon?: number;
  /** GTG convergence: stop after a full cycle of n orders whose estimates moved by at most
   *  `convergence` ppm of their L1 norm (default 0 = never early). */
  convergence?: number;
  /** GTG guided sampling: `first` (the paper's: order k starts with participant k mod n, the rest
   *  random) or `cyclic` (ours: each cycle takes one random order and its n rotations, so every
   *  participant holds every position once per cycle — sampling stratified by position, where the
   *  marginal gains differ most). Default `first`. */
  guide?: 'first' | 'cyclic';
}

/** φ per participant (value units, floored), and what it cost. */
export interface ShapleyResult { method: ShapleyMethod; phi: number[]; evaluations: number; permutations: number }

/** ⌊a / b⌋ toward −∞ (BigInt division truncates toward 0). */
export const floorDiv = (a: bigint, b: bigint): bigint => (a >= 0n ? a / b : -((-a + b - 1n) / b));

function factorials(n: number): bigint[] {
  const f = [1n];
  for (let i = 1; i <= n; i++) f.push(f[i - 1]! * BigInt(i));
  return f;
}

/** Exact Shapley values (Eq. 2 over all 2^n coalitions). Throws RangeError above MAX_EXACT.
 *  @example exactShapley({ n: 2, value: (m) => [0, 1, 1, 4][m] }).phi // [2, 2] */
export function exactShapley(game: Game): ShapleyResult {
  const g = game instanceof CountingGame ? game : new CountingGame(game);
  const n = g.n;
  if (n > MAX_EXACT) throw new RangeError(`exact Shapley needs 2^${n} evaluations; use tmc or gtg above ${MAX_EXACT} participants`);
  const f = factorials(n);
  const sums = new Array<bigint>(n).fill(0n);
  const full = (1 << n) - 1;
  for (let mask = 0; mask <= full; mask++) {
    const size = popcount(mask);
    const v = BigInt(g.value(mask));
    for (let i = 0; i < n; i++) {
      if (mask & (1 << i)) continue;
      const w = f[size]! * f[n - size - 1]!;
      sums[i]! += w * (BigInt(g.value(mask | (1 << i))) - v);
    }
  }
  return { method: 'exact', phi: sums.map((s) => Number(floorDiv(s, f[n]!))), evaluations: g.evaluations, permutations: 0 };
}

function popcount(x: number): number {
  let c = 0;
  for (; x; x &= x - 1) c++;
  return c;
}

/** A uniform permutation of `rest` by Fisher–Yates with rejection sampling (no modulo bias). */
export function shuffle(rng: Rng, rest: number[]): number[] {
  const a = [...rest];
  for (let i = a.length - 1; i > 0; i--) {
    const m = i + 1, lim = Math.floor(0x1_0000_0000 / m) * m;
    let r = rng.u32();
    while (r >= lim) r = rng.u32();
    const j = r % m;
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

/** Walks one order, adding each member's marginal to `sums` until the prefix is within the
 *  truncation band of v(N). Returns false (and adds nothing) when finishing it would exceed the
 *  evaluation budget. */
function walk(g: CountingGame, order: number[], sums: bigint[], vFull: number, band: bigint, budget: number): boolean {
  const marg: [number, bigint][] = [];
  let mask = 0, prev = BigInt(g.value(0)), spent = g.evaluations;
  for (const i of order) {
    if (BigInt(Math.abs(vFull - Number(prev))) <= band) break;      // within-round truncation
    mask |= 1 << i;
    if (!g.has(mask) && ++spent > budget) return false;
    const cur = BigInt(g.value(mask));
    marg.push([i, cur - prev]);
    prev = cur;
  }
  for (const [i, m] of marg) sums[i]! += m;
  return true;
}

function sampled(method: 'tmc' | 'gtg', game: Game, o: SamplingOptions): ShapleyResult {
  const g = game instanceof CountingGame ? game : new CountingGame(game);
  const n = g.n, all = Array.from({ length: n }, (_, i) => i);
  const full = n === 30 ? 0x3fffffff : (1 << n) - 1;
  const rng = new Rng(o.seed);
  const maxPerms = o.permutations ?? 50 * n, budget = o.budget ?? Number.POSITIVE_INFINITY;
  const v0 = g.value(0), vN = g.value(full);
  const gain = BigInt(Math.abs(vN - v0));
  const sums = new Array<bigint>(n).fill(0n);
  if (method === 'gtg' && gain <= BigInt(o.epsilon ?? 0)) return { method, phi: new Array(n).fill(0), evaluations: g.evaluations, permutations: 0 };
  const band = (gain * BigInt(o.truncation ?? 10_000)) / PPM;
  let t = 0, last: bigint[] | undefined, cycle: number[] = all;
  for (; t < maxPerms; t++) {
    let order: number[];
    if (method === 'tmc') order = shuffle(rng, all);
    else if (o.guide === 'cyclic') {
      if (t % n === 0) cycle = shuffle(rng, all);
      const k = t % n;
      order = [...cycle.slice(k), ...cycle.slice(0, k)];
    } else order = [t % n, ...shuffle(rng, all.filter((i) => i !== t % n))];
    if (!walk(g, order, sums, vN, band, budget)) break;
    if (method === 'gtg' && o.convergence && (t + 1) % n === 0) {
      const est = sums.map((s) => floorDiv(s * PPM, BigInt(t + 1)));
      if (last) {
        let moved = 0n, norm = 0n;
        est.forEach((e, i) => { moved += abs(e - last![i]!); norm += abs(e); });
        if (moved * PPM <= norm * BigInt(o.convergence)) { t++; break; }
      }
      last = est;
    }
  }
  const T = BigInt(Math.max(1, t));
  return { method, phi: sums.map((s) => Number(floorDiv(s, T))), evaluations: g.evaluations, permutations: t };
}

const abs = (x: bigint) => (x < 0n ? -x : x);

/** Truncated Monte-Carlo Shapley (TMC). Deterministic for a seed.
 *  @example tmcShapley(game, { seed: 7, budget: 256 }) */
export function tmcShapley(game: Game, o: SamplingOptions): ShapleyResult { return sampled('tmc', game, o); }

/** GTG-Shapley: guided orders with between- and within-round truncation. Deterministic for a seed. */
export function gtgShapley(game: Game, o: SamplingOptions): ShapleyResult { return sampled('gtg', game, o); }

/** Runs `method` (exact below/at MAX_EXACT only). */
export function shapley(method: ShapleyMethod, game: Game, o: SamplingOptions): ShapleyResult {
  if (method === 'exact') return exactShapley(game);
  return method === 'tmc' ? tmcShapley(game, o) : gtgShapley(game, o);
}

/** Relative L2 error ‖φ − φ*‖₂ / ‖φ*‖₂ (float: a report metric, never consensus). */
export function relativeL2(phi: readonly number[], exact: readonly number[]): number {
  let num = 0, den = 0;
  exact.forEach((e, i) => { num += (phi[i]! - e) ** 2; den += e * e; });
  return den === 0 ? (num === 0 ? 0 : Infinity) : Math.sqrt(num / den);
}

/** Shares in ppm of the positive part of φ (a participant whose φ ≤ 0 gets 0), largest
 *  remainder (split.ts) so they sum to exactly 1,000,000; all 0 when no φ is positive. */
export function phiShares(phi: readonly number[]): number[] {
  const pos = phi.map((x) => Math.max(0, x));
  return pos.some((x) => x > 0) ? largestRemainder(PPM_N, pos) : pos.map(() => 0);
}

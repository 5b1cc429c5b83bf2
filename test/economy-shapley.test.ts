// Shapley values (seed 003 Eq. 1-2; gateway/economy/): exact on games with known values, the
// sampling methods' determinism, budgets and convergence, and the loss game over the firmware.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CountingGame, exactShapley, tmcShapley, gtgShapley, relativeL2, phiShares, MAX_EXACT, type Game } from '../gateway/economy/shapley.js';
import { stratifiedShapley } from '../gateway/economy/stratified.js';
import { valueRound } from '../gateway/economy/contribute.js';
import { syntheticRound } from '../sim/economy/round-game.js';

const popcount = (x: number) => { let c = 0; for (; x; x &= x - 1) c++; return c; };
/** Additive game: v(S) = Σ_{i∈S} a_i, so φ = a exactly. */
const additive = (a: number[]): Game => ({ n: a.length, value: (m) => a.reduce((s, x, i) => s + (m & (1 << i) ? x : 0), 0) });
/** A non-additive integer game: saturating gain with a pairwise synergy, deterministic. */
const saturating = (n: number): Game => ({
  n, value: (m) => { let s = 0; for (let i = 0; i < n; i++) if (m & (1 << i)) s += 1000 + 137 * i; return Math.floor((s * 50_000) / (s + 4000)) + (m & 3) * 11 - ((m & 3) === 3 ? 40 : 0); },
});

test('exact: additive game gives each its own value; glove game gives 4 : 1 : 1; efficiency holds', () => {
  assert.deepEqual(exactShapley(additive([5, -3, 12, 0])).phi, [5, -3, 12, 0]);
  // one left glove (0) and two right gloves (1, 2); a pair is worth 6
  const glove: Game = { n: 3, value: (m) => ((m & 1) && (m & 6) ? 6 : 0) };
  assert.deepEqual(exactShapley(glove).phi, [4, 1, 1]);
  const g = saturating(9), r = exactShapley(g);
  assert.equal(r.evaluations, 512);
  const sum = r.phi.reduce((a, b) => a + b, 0), total = g.value(511) - g.value(0);
  assert.ok(total - sum >= 0 && total - sum < 9, `Σφ ${sum} vs v(N) − v(∅) ${total} (each φ floored once)`);
  assert.throws(() => exactShapley({ n: MAX_EXACT + 1, value: () => 0 }), RangeError);
});

test('sampling methods are deterministic for a seed, respect the budget and converge to exact', () => {
  const g = saturating(10), ex = exactShapley(g).phi;
  for (const f of [tmcShapley, gtgShapley]) {
    const a = f(new CountingGame(g), { seed: 5, budget: 200 }), b = f(new CountingGame(g), { seed: 5, budget: 200 });
    assert.deepEqual(a.phi, b.phi);
    assert.ok(a.evaluations <= 200, `${a.method} used ${a.evaluations}`);
    assert.notDeepEqual(f(new CountingGame(g), { seed: 6, budget: 200 }).phi, a.phi, 'another seed, another sample');
    const big = f(new CountingGame(g), { seed: 5, permutations: 3000, truncation: 0 });
    assert.ok(relativeL2(big.phi, ex) < 0.03, `${big.method}: ${relativeL2(big.phi, ex)}`);
  }
  const s = stratifiedShapley(new CountingGame(g), { seed: 5, budget: 256 });
  assert.ok(s.evaluations <= 256);
  assert.deepEqual(stratifiedShapley(new CountingGame(g), { seed: 5, budget: 256 }).phi, s.phi);
  // with a budget covering every coalition all strata are exact: the same floor of the same rational
  assert.deepEqual(stratifiedShapley(new CountingGame(g), { seed: 5, budget: 4096, exactShare: 1_000_000 }).phi, ex);
  // GTG between-round truncation: a round that gained less than ε pays nobody
  assert.deepEqual(gtgShapley({ n: 4, value: (m) => popcount(m) === 4 ? 3 : 0 }, { seed: 1, epsilon: 5 }).phi, [0, 0, 0, 0]);
});

test('phiShares: positive part in ppm, summing to exactly 1,000,000; valueRound picks exact for small rounds', () => {
  const s = phiShares([3, -2, 1, 1]);
  assert.deepEqual(s, [600_000, 0, 200_000, 200_000]);
  assert.equal(phiShares([7, 7, 7]).reduce((a, b) => a + b, 0), 1_000_000);
  assert.deepEqual(phiShares([-1, 0]), [0, 0]);
  assert.equal(valueRound(new CountingGame(saturating(6)), 'tmc', 10, 1).method, 'exact');
  assert.equal(valueRound(new CountingGame(saturating(10)), 'gtg', 100, 1).method, 'gtg');
});

test('loss game over the firmware kernel: integer values, v(∅) = 0, the same on a second evaluation', () => {
  const r = syntheticRound({ n: 4, seed: 2 });
  const vals = Array.from({ length: 16 }, (_, m) => r.game.value(m));
  assert.equal(vals[0], 0);
  for (const v of vals) assert.ok(Number.isSafeInteger(v));
  assert.ok(vals[15]! > 0, 'four honest updates lower the validation loss');
  const again = syntheticRound({ n: 4, seed: 2 });
  assert.deepEqual(Array.from({ length: 16 }, (_, m) => again.game.value(m)), vals);
  // a free rider (the unchanged model) adds nothing when it joins a coalition that already has updates
  const fr = syntheticRound({ n: 4, seed: 2, behaviours: ['honest', 'honest', 'honest', 'free-rider'] });
  const phi = exactShapley(fr.game).phi;
  assert.ok(phi[3]! < Math.min(phi[0]!, phi[1]!, phi[2]!), `free rider φ ${phi[3]} vs ${phi.slice(0, 3)}`);
});

test('at 10 boards, stratified sampling with 25 % of the evaluations is within 5 % of exact (one seed)', () => {
  const r = syntheticRound({ n: 10, seed: 1 });
  const values = new Map<number, number>();
  const ex = exactShapley(new CountingGame({ n: 10, value: (m) => { const v = r.game.value(m); values.set(m, v); return v; } })).phi;
  const s = stratifiedShapley(new CountingGame({ n: 10, value: (m) => values.get(m)! }), { seed: 108, budget: 256 });
  assert.ok(s.evaluations <= 256);
  assert.ok(relativeL2(s.phi, ex) < 0.05, `error ${relativeL2(s.phi, ex)}`);
});

// Centered clipping and FLTrust aggregation (gateway/aggregate/{centered-clip,fltrust}.ts) and
// the committee's direction trust (gateway/consensus/trust.ts) on small hand-checked inputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { centeredClip, isqrt, clipStep, medianRadius } from '../gateway/aggregate/centered-clip.js';
import { fltrust } from '../gateway/aggregate/fltrust.js';
import { aggregator } from '../gateway/aggregate/index.js';
import { rootOf, trustPpm, cosPpm, medianCosPpm, UNIT } from '../gateway/consensus/trust.js';

const I = (...v: number[]) => Int32Array.from(v);
const u = (params: Int32Array, n = 1, score?: number) => ({ params, n, score });

test('isqrt is the floor of the square root', () => {
  for (const [n, r] of [[0n, 0n], [1n, 1n], [2n, 1n], [15n, 3n], [16n, 4n], [17n, 4n], [10n ** 30n, 10n ** 15n], [10n ** 30n - 1n, 10n ** 15n - 1n], [(2n ** 200n - 1n) ** 2n, 2n ** 200n - 1n], [(2n ** 200n - 1n) ** 2n - 1n, 2n ** 200n - 2n]]) assert.equal(isqrt(n), r);
  assert.throws(() => isqrt(-1n), RangeError);
});

test('centered clipping: one far outlier moves the result by at most the radius', () => {
  // 1-D 0, 2, 100: centre = median 2, distances 2, 0, 98 → radius (lower median) 2; the outlier is
  // clipped to +2, the others are inside: mean(−2, 0, 2) = 0, so the centre stays at 2 (FedAvg: 34)
  const us = [u(I(0)), u(I(2)), u(I(100))];
  assert.equal(medianRadius(us, I(2)), 2n);
  assert.deepEqual([...centeredClip(us)], [2]);
  assert.deepEqual([...aggregator('fedavg')(us)], [34]);
});

test('centered clipping: the clipped coordinates and the iterations, by hand', () => {
  // (0,0), (0,0), (30,40) with τ = 5 from the median (0,0): the outlier becomes (3,4); mean (1, 4/3) → (1, 1).
  const us = [u(I(0, 0)), u(I(0, 0)), u(I(30, 40))];
  assert.deepEqual([...centeredClip(us, { tau: 5, iters: 1 })], [1, 1]);
  // second step from (1,1): (−1,−1) has ⌊‖·‖⌋ = 1 ≤ 5, kept; (29,39): ⌊√2362⌋ = 48 → (29·5/48, 39·5/48)
  // = (3.02, 4.06) → (3, 4); sum (−1 −1 + 3, −1 −1 + 4) = (1, 2), /3 → (0.33, 0.67) → (0, 1): v = (1, 2)
  assert.deepEqual([...clipStep(us, I(1, 1), 5n)], [1, 2]);
  assert.deepEqual([...centeredClip(us, { tau: 5, iters: 2 })], [1, 2]);
  // sample weights count: (0) with n = 3 and (10) with n = 1, τ large, one step from the unweighted
  // median 5: 5 + (3·(−5) + 1·5)/4 = 5 + (−2.5 → −2, half to even) = 3
  assert.deepEqual([...centeredClip([u(I(0), 3), u(I(10), 1)], { tau: 1000, iters: 1 })], [3]);
  assert.throws(() => centeredClip([]), RangeError);
  assert.throws(() => centeredClip([u(I(1), 0)]), RangeError);
  assert.throws(() => centeredClip([u(I(1))], { iters: 0 }), RangeError);
});

test('FLTrust: deltas rescaled to the reference norm, weighted by trust; zero trust changes nothing', () => {
  // base (0,0), refNorm 10: (3,4) → (6,8) with trust 1e6; (0,10) stays (0,10) with trust 5e5;
  // (−6,−8) has trust 0. (1e6·(6,8) + 5e5·(0,10)) / 1.5e6 = (4, 8.67) → (4, 9)
  const base = I(0, 0);
  const us = [u(I(3, 4), 1, 1_000_000), u(I(-6, -8), 1, 0), u(I(0, 10), 1, 500_000)];
  assert.deepEqual([...fltrust(us, { base, refNorm: 10 })], [4, 9]);
  // a large update counts no more than a small one in the same direction
  assert.deepEqual([...fltrust([u(I(300, 400), 1, 1_000_000)], { base, refNorm: 10 })], [6, 8]);
  assert.deepEqual([...fltrust([u(I(3, 4), 1, 0)], { base: I(7, 7), refNorm: 10 }).map((x) => x)], [7, 7]);
  assert.throws(() => fltrust(us, { refNorm: 10 }), RangeError);
  assert.throws(() => fltrust(us, { base }), RangeError);
  assert.throws(() => fltrust([u(I(1, 1), 1, -1)], { base, refNorm: 1 }), RangeError);
});

test('direction trust: root = sum of the members\' unit deltas, trust = ReLU(cos) in ppm', () => {
  const base = I(1, 1);
  // member deltas (5,0) and (0,5): units (2^20, 0) and (0, 2^20), root (2^20, 2^20); norms 5, 5
  const r = rootOf(base, [I(6, 1), I(1, 6)])!;
  assert.deepEqual([...r.root], [UNIT, UNIT]);
  assert.equal(r.refNorm, 5);
  // cos((1,0), (1,1)) = 1/√2 = 0.7071067… → 707106 ppm; (1,1) → 1e6; opposite or orthogonal → 0
  assert.equal(trustPpm(I(2, 1), base, r.root), 707106);
  assert.equal(trustPpm(I(4, 4), base, r.root), 1_000_000);
  assert.equal(trustPpm(I(0, 0), base, r.root), 0);
  assert.equal(trustPpm(I(2, 0), base, r.root), 0);
  assert.equal(trustPpm(I(1, 1), base, r.root), 0);            // zero delta
  // the signed cosine, rounded toward zero: (−1, 0) → −1/√2; (−1,−1) → −1
  assert.equal(cosPpm(I(0, 1), base, r.root), -707106);
  assert.equal(cosPpm(I(0, 0), base, r.root), -1_000_000);
  // a member with a huge norm weighs no more than one unit: (500,0) and (0,5) give the same root
  assert.deepEqual([...rootOf(base, [I(501, 1), I(1, 6)])!.root], [UNIT, UNIT]);
  // the reference norm is the lower median: 5 of (5, 500)
  assert.equal(rootOf(base, [I(501, 1), I(1, 6)])!.refNorm, 5);
  assert.equal(rootOf(base, [I(1, 1)]), undefined);
  assert.throws(() => rootOf(base, [I(1)]), RangeError);
});

test('median trust: the ⌈M/2⌉-th lowest per-member cosine, a missing reference counting −1', () => {
  const base = I(0, 0), refs = [I(1, 0), I(0, 1), I(-1, 0)];
  // (1,0): cosines 1, 0, −1 → middle 0; (1,1): 0.707, 0.707, −0.707 → middle 707106
  assert.equal(medianCosPpm(I(1, 0), base, refs, 3), 0);
  assert.equal(medianCosPpm(I(1, 1), base, refs, 3), 707106);
  // a committee of 4 with 3 references: [−1e6, −707106, 707106, 707106] → 2nd lowest
  assert.equal(medianCosPpm(I(1, 1), base, refs, 4), -707106);
  // a zero reference votes −1
  assert.equal(medianCosPpm(I(1, 1), base, [I(1, 1), I(0, 0), I(0, 1)], 3), 707106);
  assert.throws(() => medianCosPpm(I(1, 1), base, refs, 2), RangeError);
});

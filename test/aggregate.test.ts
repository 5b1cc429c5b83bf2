import { test } from 'node:test';
import assert from 'node:assert/strict';
import { median, trimmedMean, krum, multiKrum, topkScore, weightedMean, squaredDistance, krumScores, aggregator, AGGREGATORS } from '../gateway/aggregate/index.js';
import { Rng } from '../boards/data/rng.js';

const v = (...x: number[]) => Int32Array.from(x);
const u = (params: Int32Array, n = 1, score?: number) => ({ params, n, score });

/** Exact reference: round_half_even(Σ w·x / Σ w) with BigInt. */
function refMean(xs: number[], ws: number[]): number {
  const num = xs.reduce((s, x, i) => s + BigInt(x) * BigInt(ws[i]), 0n);
  const den = BigInt(ws.reduce((a, b) => a + b, 0));
  let q = num / den, r = num % den;
  if (r < 0n) { q -= 1n; r += den; }
  if (2n * r > den || (2n * r === den && q % 2n !== 0n)) q += 1n;
  return Number(q);
}

test('median: odd and even counts, ties to even, order-independent', () => {
  assert.deepEqual([...median([u(v(1, 10)), u(v(5, -3)), u(v(3, 7))])], [3, 7]);
  // even: (1+2)/2 = 1.5 → 2, (3+4)/2 = 3.5 → 4, (-1+-2)/2 = -1.5 → -2
  assert.deepEqual([...median([u(v(1, 3, -1)), u(v(2, 4, -2))])], [2, 4, -2]);
  const rng = new Rng(1);
  const ups = Array.from({ length: 9 }, () => u(Int32Array.from({ length: 20 }, () => rng.int(2001) - 1000)));
  assert.deepEqual(median([...ups].reverse()), median(ups));
});

test('trimmedMean drops the extremes per coordinate', () => {
  const ups = [u(v(1)), u(v(2)), u(v(3)), u(v(4)), u(v(1_000_000))];
  assert.deepEqual([...trimmedMean(ups, { trim: 0.2 })], [3]);         // drops 1 and 1e6 → (2+3+4)/3
  assert.deepEqual([...trimmedMean(ups, { trim: 0 })], [refMean([1, 2, 3, 4, 1_000_000], [1, 1, 1, 1, 1])]);
  assert.throws(() => trimmedMean(ups, { trim: 0.5 }), RangeError);
});

test('squaredDistance is exact for extreme int32 values', () => {
  const rng = new Rng(2);
  for (let t = 0; t < 100; t++) {
    const len = 1 + rng.int(300);
    const a = Int32Array.from({ length: len }, () => (rng.u32() | 0));
    const b = Int32Array.from({ length: len }, () => (rng.u32() | 0));
    let ref = 0n;
    for (let i = 0; i < len; i++) { const d = BigInt(a[i]) - BigInt(b[i]); ref += d * d; }
    assert.equal(squaredDistance(a, b), ref);
  }
});

test('krum picks an update inside the honest cluster; multiKrum excludes the outliers', () => {
  const rng = new Rng(3);
  const honest = Array.from({ length: 7 }, () => u(Int32Array.from({ length: 50 }, () => 100 + rng.int(11) - 5), 10));
  const evil = Array.from({ length: 3 }, () => u(Int32Array.from({ length: 50 }, () => 5000 + rng.int(1000)), 10));
  const all = [...evil, ...honest];
  const k = krum(all, { f: 3 });
  assert.ok(honest.some((h) => h.params.every((x, i) => x === k[i])), 'krum chose an honest update');
  const s = krumScores(all, 3);
  assert.ok(s.slice(0, 3).every((e) => s.slice(3).every((h) => e > h)), 'outliers score worse');
  const mk = multiKrum(all, { f: 3, m: 7 });
  assert.deepEqual(mk, weightedMean(honest.map((h) => h.params), honest.map(() => 10)));
});

test('topkScore keeps the k best-scored and weights them by score', () => {
  const ups = [u(v(10), 1, 1), u(v(20), 1, 3), u(v(1000), 1, 0), u(v(40), 1, 2)];
  // top-3 by score: 20 (3), 40 (2), 10 (1) → (60+80+10)/6 = 25
  assert.deepEqual([...topkScore(ups, { k: 3 })], [25]);
  assert.deepEqual([...topkScore(ups, { k: 1 })], [20]);
  // all-zero scores fall back to sample-weighted mean
  assert.deepEqual([...topkScore([u(v(10), 1, 0), u(v(20), 3, 0)])], [refMean([10, 20], [1, 3])]);
  assert.throws(() => topkScore([u(v(1), 1, -1)]), RangeError);
});

test('weightedMean: the BigInt path agrees with the exact reference on huge sums', () => {
  const rng = new Rng(4);
  for (let t = 0; t < 30; t++) {
    const k = 1 + rng.int(6);
    const vecs = Array.from({ length: k }, () => Int32Array.from({ length: 8 }, () => (rng.u32() | 0)));
    const ws = Array.from({ length: k }, () => 1 + rng.int(2 ** 30));
    const out = weightedMean(vecs, ws);
    for (let i = 0; i < 8; i++) assert.equal(out[i], refMean(vecs.map((x) => x[i]), ws));
  }
});

test('every named rule is deterministic and returns a vector of the right length', () => {
  const rng = new Rng(5);
  const ups = Array.from({ length: 6 }, () => u(Int32Array.from({ length: 30 }, () => rng.int(60001) - 30000), 1 + rng.int(100), rng.int(1000)));
  for (const name of Object.keys(AGGREGATORS)) {
    const o = name === 'fltrust' ? { base: new Int32Array(30), refNorm: 1000 } : undefined; // FLTrust needs the engine's base and reference norm
    const a = aggregator(name)(ups, o), b = aggregator(name)(ups.map((x) => ({ ...x, params: Int32Array.from(x.params) })), o);
    assert.equal(a.length, 30, name);
    assert.deepEqual(a, b, name);
  }
  assert.throws(() => aggregator('nope'), /known: fedavg/);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { partition } from '../boards/data/partition.js';
import { loadMnist } from '../boards/data/mnist.js';
import { trainTestSplit } from '../boards/data/split.js';

const d = loadMnist();

function assertPartition(parts: number[][], n: number) {
  const seen = new Uint8Array(n);
  for (const p of parts) for (const r of p) { assert.equal(seen[r], 0, `row ${r} assigned twice`); seen[r] = 1; }
  assert.equal(seen.reduce((a, b) => a + b, 0), n, 'every row assigned');
}

/** Mean over devices of the share of the device's most common label. */
function dominance(parts: number[][]): number {
  let s = 0;
  for (const p of parts) {
    const c = new Array(10).fill(0);
    for (const r of p) c[d.y[r]]++;
    s += Math.max(...c) / p.length;
  }
  return s / parts.length;
}

test('mnist loader gives 10,000 labelled 28x28 digits', () => {
  assert.equal(d.n, 10000);
  assert.equal(d.x.length, d.n * 784);
  const counts = new Array(10).fill(0);
  for (const y of d.y) counts[y]++;
  for (const c of counts) assert.ok(c > 800 && c < 1200, `class count ${c}`);
  assert.ok(d.x.some((v) => v === 255) && d.x.some((v) => v === 0));
});

test('train/test split is stratified, disjoint in size and deterministic', () => {
  const a = trainTestSplit(d, 0.2, 1), b = trainTestSplit(d, 0.2, 1), c = trainTestSplit(d, 0.2, 2);
  assert.equal(a.train.n + a.test.n, d.n);
  assert.equal(a.test.n, 2000);
  assert.deepEqual(a.test.y, b.test.y);
  assert.notDeepEqual(a.test.y, c.test.y);
});

test('iid, shards and dirichlet are partitions, deterministic in the seed', () => {
  for (const spec of [{ kind: 'iid' as const }, { kind: 'shards' as const, perDevice: 2 }, { kind: 'dirichlet' as const, alpha: 0.5 }]) {
    const p = partition(d, 10, spec, 3);
    assertPartition(p, d.n);
    assert.deepEqual(partition(d, 10, spec, 3), p);
    for (const s of p) assert.ok(s.length >= 10);
  }
});

test('smaller Dirichlet alpha gives more label skew', () => {
  const skewed = dominance(partition(d, 10, { kind: 'dirichlet', alpha: 0.1 }, 5));
  const mild = dominance(partition(d, 10, { kind: 'dirichlet', alpha: 100 }, 5));
  const iid = dominance(partition(d, 10, { kind: 'iid' }, 5));
  assert.ok(skewed > 0.5, `alpha 0.1 dominance ${skewed}`);
  assert.ok(mild < 0.2 && iid < 0.2, `alpha 100 ${mild}, iid ${iid}`);
});

test('partition rejects impossible requests', () => {
  assert.throws(() => partition(d, 0, { kind: 'iid' }, 1), RangeError);
  assert.throws(() => partition(d, 2000, { kind: 'iid' }, 1), RangeError);
  assert.throws(() => partition(d, 5, { kind: 'dirichlet', alpha: 0 }, 1), RangeError);
});

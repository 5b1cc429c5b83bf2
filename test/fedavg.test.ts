import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fedAvg, divRoundHalfEven } from '../gateway/aggregate/fedavg.js';
import { Rng } from '../boards/data/rng.js';

test('divRoundHalfEven rounds ties to even, both signs', () => {
  assert.equal(divRoundHalfEven(5, 2), 2);   // 2.5 → 2
  assert.equal(divRoundHalfEven(7, 2), 4);   // 3.5 → 4
  assert.equal(divRoundHalfEven(-5, 2), -2); // -2.5 → -2
  assert.equal(divRoundHalfEven(-7, 2), -4); // -3.5 → -4
  assert.equal(divRoundHalfEven(10, 3), 3);
  assert.equal(divRoundHalfEven(11, 3), 4);
  assert.equal(divRoundHalfEven(-11, 3), -4);
});

test('fedAvg weights by sample count', () => {
  const out = fedAvg([
    { params: Int32Array.from([10, -10, 0]), n: 1 },
    { params: Int32Array.from([20, 30, 1]), n: 3 },
  ]);
  // (10+60)/4 = 17.5 → 18 (even), (-10+90)/4 = 20, (0+3)/4 = 0.75 → 1
  assert.deepEqual([...out], [18, 20, 1]);
});

test('fedAvg matches an exact BigInt rational reference and ignores update order', () => {
  const rng = new Rng(7);
  for (let trial = 0; trial < 50; trial++) {
    const k = 1 + rng.int(12), len = 1 + rng.int(64);
    const ups = Array.from({ length: k }, () => ({
      params: Int32Array.from({ length: len }, () => rng.int(65536) - 32768),
      n: 1 + rng.int(5000),
    }));
    const out = fedAvg(ups);
    const total = BigInt(ups.reduce((s, u) => s + u.n, 0));
    for (let i = 0; i < len; i++) {
      const num = ups.reduce((s, u) => s + BigInt(u.n) * BigInt(u.params[i]), 0n);
      // round half to even with BigInt: floor division then compare remainder
      let q = num / total; let r = num % total;
      if (r < 0n) { q -= 1n; r += total; }
      if (2n * r > total || (2n * r === total && q % 2n !== 0n)) q += 1n;
      assert.equal(out[i], Number(q), `trial ${trial} index ${i}`);
    }
    const rev = fedAvg([...ups].reverse());
    assert.deepEqual(rev, out);
  }
});

test('fedAvg rejects bad input', () => {
  assert.throws(() => fedAvg([]), RangeError);
  assert.throws(() => fedAvg([{ params: new Int32Array(2), n: 1 }, { params: new Int32Array(3), n: 1 }]), /length/);
  assert.throws(() => fedAvg([{ params: new Int32Array(2), n: 0 }]), /positive/);
});

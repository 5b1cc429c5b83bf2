// Attackers as pure functions over parameter vectors, and the simulator's consensus strategies
// as adapters over gateway/consensus (committee sheets, fedavg, PoW).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ATTACKS, colludingScore } from '../sim/attacks/index.js';
import { lieZ, normInv } from '../sim/attacks/little-is-enough.js';
import { paramLayout } from '../sim/attacks/attack.js';
import { Rng } from '../boards/data/rng.js';
import type { ModelHeader } from '../protocol/model-blob.js';

const header: ModelHeader = { version: 1, arch: 'logreg', inputs: 3, hidden: 0, outputs: 2, inputScale: 1 / 255, inputZeroPoint: -128, layers: [{ outputScale: 0.1, outputZeroPoint: 0, weightScales: [0.01, 0.01] }] };
const ctx = (global: Int32Array, trained: Int32Array | null, params: Record<string, number> = {}) => ({
  round: 1, header, global, trained, rng: new Rng(5), params, trainers: 10, colluders: 3,
});

test('param layout: weights then biases per layer', () => {
  assert.deepEqual(paramLayout(header), [{ start: 0, n: 6, bias: false }, { start: 6, n: 2, bias: true }]);
});

test('sign flip reverses and scales the update', () => {
  const g = Int32Array.from([0, 10, -10, 0, 0, 0, 100, 0]), t = Int32Array.from([1, 12, -10, 0, 0, 0, 90, 0]);
  assert.deepEqual([...ATTACKS['sign-flip'].craft!(ctx(g, t, { scale: 2 }))], [-2, 6, -10, 0, 0, 0, 120, 0]);
});

test('gaussian noise is seeded, centred on the global model and sized per weight step', () => {
  const g = new Int32Array(8);
  const a = ATTACKS.gaussian.craft!(ctx(g, null, { sigma: 1 })), b = ATTACKS.gaussian.craft!(ctx(g, null, { sigma: 1 }));
  assert.deepEqual(a, b);
  assert.ok(a.slice(0, 6).some((v) => v !== 0));
  // a bias unit is 1/s_in = 255 weight units smaller, so the same real noise is larger in bias units
  const big = ATTACKS.gaussian.craft!({ ...ctx(new Int32Array(8), null, { sigma: 1 }), rng: new Rng(9) });
  assert.ok(Math.abs(big[6]) + Math.abs(big[7]) > 0);
});

test('label flip maps y to C−1−y, or shifts', () => {
  assert.deepEqual([...ATTACKS['label-flip'].labels!(Uint8Array.from([0, 3, 9]), 10, {})], [9, 6, 0]);
  assert.deepEqual([...ATTACKS['label-flip'].labels!(Uint8Array.from([0, 3, 9]), 10, { shift: 1 })], [1, 4, 0]);
});

test('little is enough: μ − zσ per coordinate; z from Baruch et al.', () => {
  assert.ok(Math.abs(normInv(0.975) - 1.959964) < 1e-5);
  assert.ok(Math.abs(normInv(0.5)) < 1e-12);
  // n = 50, m = 12: s = 26 − 12 = 14, z = Φ⁻¹(36/50) ≈ 0.583
  assert.ok(Math.abs(lieZ(50, 12) - 0.5828) < 1e-3);
  const honest = [Int32Array.from([0, 10]), Int32Array.from([2, 10])];
  const out = ATTACKS['little-is-enough'].collective!(honest, { round: 1, header, global: new Int32Array(2), params: { z: 1 }, trainers: 10, colluders: 2 });
  assert.deepEqual([...out], [0, 10]);
});

test('free rider returns the global model; colluders score friends high', () => {
  const g = Int32Array.from([1, 2, 3]);
  assert.deepEqual(ATTACKS['free-rider'].craft!(ctx(g, null)), g);
  const rng = new Rng(1);
  const s = colludingScore(true, 100_000, rng, {});
  assert.ok(s >= 850_000 && s <= 950_000);
  assert.equal(colludingScore(false, 123_456, rng, {}), 123_456);
  assert.equal(colludingScore(false, 123_456, rng, { sinkHonest: 1 }), 0);
});

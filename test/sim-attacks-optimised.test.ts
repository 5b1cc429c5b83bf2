// The optimised collective attacks (sim/attacks/{alie,ipm,min-max,adaptive}.ts) over small
// fixed inputs whose expected outputs are worked out by hand in the comments.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ATTACKS, COLLECTIVE_TYPES } from '../sim/attacks/index.js';
import { craftMinMax, searchGamma, perturbation } from '../sim/attacks/min-max.js';
import { estimatedThreshold } from '../sim/attacks/adaptive.js';
import { meanStd } from '../sim/attacks/stats.js';
import { Rng } from '../boards/data/rng.js';
import type { ModelHeader } from '../protocol/model-blob.js';

// 1 input, 2 outputs: params = 2 weights then 2 biases
const header: ModelHeader = { version: 1, arch: 'logreg', inputs: 1, hidden: 0, outputs: 2, inputScale: 1 / 255, inputZeroPoint: -128, layers: [{ outputScale: 0.1, outputZeroPoint: 0, weightScales: [0.01, 0.01] }] };
const cctx = (global: Int32Array, params: Record<string, number> = {}) => ({ round: 1, header, global, params, trainers: 10, colluders: 3 });
const I = (...v: number[]) => Int32Array.from(v);
const F = (...v: number[]) => Float64Array.from(v);

test('every optimised attack is collective, so the fleet pools its colluders', () => {
  for (const t of ['little-is-enough', 'alie', 'ipm', 'min-max', 'min-sum', 'adaptive'] as const) assert.ok(COLLECTIVE_TYPES.has(t), t);
  for (const t of ['gaussian', 'sign-flip', 'label-flip'] as const) assert.ok(!COLLECTIVE_TYPES.has(t), t);
});

test('IPM sends −ε times the colluders\' mean delta', () => {
  // deltas from g = (10, 10, 0, 0): (2, 4, 6, −8) and (6, 8, 10, −4) → mean (4, 6, 8, −6); ε = 0.5 → (−2, −3, −4, 3)
  const g = I(10, 10, 0, 0);
  const out = ATTACKS.ipm.collective!([I(12, 14, 6, -8), I(16, 18, 10, -4)], cctx(g, { epsilon: 0.5 }));
  assert.deepEqual([...out], [8, 7, -4, 3]);
  // ε = 2 → (−8, −12, −16, 12)
  assert.deepEqual([...ATTACKS.ipm.collective!([I(12, 14, 6, -8), I(16, 18, 10, -4)], cctx(g, { epsilon: 2 }))], [2, -2, -16, 12]);
});

test('min-max and min-sum: the largest γ that keeps μ + γ·p as close to the honest deltas as they are to each other', () => {
  // 1-D deltas 0, 2, 4: μ = 2, σ = √(8/3), p = −σ. Min-max: the farthest honest delta is 4, so
  // (4 − (2 − t))² ≤ max pairwise 16 ⇔ t ≤ 2 with t = γσ: the crafted delta is μ − 2 = 0.
  // Min-sum: (2 − t)² + t² + (2 + t)² = 8 + 3t² ≤ max row sum 0 + 4 + 16 = 20 ⇔ t ≤ 2 again.
  const ds = [F(0), F(2), F(4)];
  const mm = craftMinMax(ds, 'max'), ms = craftMinMax(ds, 'sum');
  assert.ok(Math.abs(mm.delta[0]) < 1e-4, `min-max delta ${mm.delta[0]}`);
  assert.ok(Math.abs(mm.gamma - 2 / Math.sqrt(8 / 3)) < 1e-4, `γ ${mm.gamma}`);
  assert.ok(Math.abs(ms.delta[0]) < 1e-4, `min-sum delta ${ms.delta[0]}`);
  // deltas 0, 0, 6: μ = 2, σ = √8, t = γ√8. Min-max: |(2 − t) − 6| ≤ 6 ⇔ t ≤ 2 → 0. Min-sum:
  // 2(2 − t)² + (4 + t)² ≤ max(36, 36, 72) = 72 ⇔ 3t² ≤ 48 ⇔ t ≤ 4 → −2. The two rules differ.
  const ds2 = [F(0), F(0), F(6)];
  assert.ok(Math.abs(craftMinMax(ds2, 'max').delta[0] - 0) < 1e-4);
  assert.ok(Math.abs(craftMinMax(ds2, 'sum').delta[0] + 2) < 1e-4);
  // through the attack interface, rounded, relative to the global model
  const g = I(100, 0, 0, 0);
  const out = ATTACKS['min-sum'].collective!([I(100, 0, 0, 0), I(100, 0, 0, 0), I(106, 0, 0, 0)], cctx(g));
  assert.deepEqual([...out], [98, 0, 0, 0]);
});

test('min-max perturbation directions and the halving search', () => {
  const { mean, std } = meanStd([F(3, -4), F(3, -4)]);
  assert.deepEqual([...perturbation(mean, std, 1)], [-0.6, 0.8]);   // −unit(μ), ‖(3, −4)‖ = 5
  assert.deepEqual([...perturbation(mean, std, 2)], [-1, 1]);       // −sign(μ)
  assert.ok(Math.abs(searchGamma((x) => x <= 3.25) - 3.25) < 1e-4);
  assert.equal(searchGamma(() => false), 0);
});

test('ALIE with jitter: the LIE vector plus small per-attacker noise, so two attackers differ', () => {
  const g = I(0, 0, 0, 0);
  const honest = [I(256, 512, 10, 0), I(768, 512, 30, 0)];
  // μ − zσ with z = 1: (512 − 256, 512 − 0, 20 − 10, 0)
  const shared = ATTACKS.alie.collective!(honest, cctx(g, { z: 1 }));
  assert.deepEqual([...shared], [256, 512, 10, 0]);
  const a = ATTACKS.alie.personalize!(shared, { round: 1, header, rng: new Rng(1), params: { jitter: 0.05 } });
  const b = ATTACKS.alie.personalize!(shared, { round: 1, header, rng: new Rng(2), params: { jitter: 0.05 } });
  assert.notDeepEqual([...a], [...b]);
  // 0.05 int8 steps = 12.8 master units: 6 sd is well below one step
  for (let i = 0; i < 2; i++) assert.ok(Math.abs(a[i] - shared[i]) < 80 && Math.abs(b[i] - shared[i]) < 80);
  assert.deepEqual([...ATTACKS.alie.personalize!(shared, { round: 1, header, rng: new Rng(1), params: { jitter: 0 } })], [...shared]);
});

test('the adaptive attacker sends −unit(μ) at the median honest norm (the clipping threshold)', () => {
  // deltas (3, 4) and (6, 8): norms 5 and 10, lower median 5; μ = (4.5, 6), ‖μ‖ = 7.5,
  // margin 1 → −5·(0.6, 0.8) = (−3, −4)
  assert.equal(estimatedThreshold([F(3, 4), F(6, 8)]), 5);
  const g = I(10, 10, 0, 0);
  const out = ATTACKS.adaptive.collective!([I(13, 14, 0, 0), I(16, 18, 0, 0)], cctx(g, { margin: 1 }));
  assert.deepEqual([...out], [7, 6, 0, 0]);
  // all-zero deltas: nothing to reverse, the global model itself
  assert.deepEqual([...ATTACKS.adaptive.collective!([I(10, 10, 0, 0)], cctx(g))], [10, 10, 0, 0]);
});

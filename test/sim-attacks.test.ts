// Attackers as pure functions over parameter vectors, and the simulator's consensus strategies
// as adapters over gateway/consensus (committee sheets, fedavg, PoW).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ATTACKS, colludingScore } from '../sim/attacks/index.js';
import { lieZ, normInv } from '../sim/attacks/little-is-enough.js';
import { paramLayout } from '../sim/attacks/attack.js';
import { committeeConfig } from '../sim/coordinator/committee.js';
import { strategyFor } from '../sim/coordinator/strategies.js';
import { signScoreSheet, encodeSheets } from '../gateway/consensus/committee.js';
import { encodeCanonical } from '../protocol/cbor.js';
import { sha256 } from '../protocol/bytes.js';
import { nodeSigner, type Signer } from '../gateway/ledger/index.js';
import { demoSeed } from '../gateway/keys.js';
import { deviceId, deviceIndex } from '../sim/protocol.js';
import { validateScenario } from '../sim/scenario/schema.js';
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

const memberSigner = (i: number) => nodeSigner(deviceId(i), demoSeed(deviceId(i), 1));
const keyOf = (id: string) => (deviceIndex(id) < 0 ? undefined : memberSigner(deviceIndex(id)).publicKey);
const hashOf = (k: number) => sha256(Uint8Array.from([k]));
const sheetMsg = (signer: Signer, round: number, prev: Uint8Array, scores: { updateHash: Uint8Array; score: number }[]) =>
  encodeCanonical(encodeSheets([signScoreSheet(signer, round, prev, scores)]));

test('committee strategy: signed sheets through committeeEngine, threshold then the k best, election by score', () => {
  const s = validateScenario({ name: 'c', devices: { count: 10 }, selection: { activeFraction: 0.5 }, consensus: { engine: 'committee', committeeFraction: 0.4, threshold: 0.5, kFraction: 0.4 } });
  assert.deepEqual(committeeConfig(s), { size: 2, threshold: 500_000, k: 2, election: 'score' });
  const c = strategyFor(s, keyOf);
  const plan = c.plan(1);
  assert.equal(plan.trainers.length, 5);
  assert.equal(plan.committee.length, 2);
  assert.ok(plan.trainers.every((t) => !plan.committee.includes(t)));
  const view = { round: 1, prev: new Uint8Array(32).fill(9) };
  const cands = plan.trainers.map((index, k) => ({ index, n: 10, params: Int32Array.from([k * 10]), updateHash: hashOf(k) }));
  const score = (k: number) => (k === 0 ? 10 : 900_000 - k);
  const sheets = plan.committee.map((m) => c.admitSheet!(view, plan.committee, sheetMsg(memberSigner(m), 1, view.prev, cands.map((x, k) => ({ updateHash: x.updateHash, score: score(k) })))));
  const d = c.decide(view, cands, sheets);
  assert.deepEqual(d.accepted.map((a) => a.index), [plan.trainers[1], plan.trainers[2]], 'the k = 2 best of those over the threshold');
  assert.equal(d.rejected.filter((r) => r.reason === 'committee_score').length, 3);
  assert.match(d.rejected.find((r) => r.index === plan.trainers[0])!.detail, /below the threshold 50\.00 %/);
  assert.match(d.rejected.find((r) => r.index === plan.trainers[3])!.detail, /not among the k = 2 best/);
  assert.deepEqual(d.params, Int32Array.from([15]), 'FedAvg of the two accepted (10 and 20)');
  assert.equal(d.scores!.get(plan.trainers[1]), 899_999);
  // election by score among the accepted providers (gateway/consensus/election.ts)
  assert.deepEqual(c.plan(2).committee, [plan.trainers[1], plan.trainers[2]].sort((a, b) => a - b));
});

test('committee strategy: the engine lower median, and sheets checked at the edge', () => {
  const s = validateScenario({ name: 'c', devices: { count: 10 }, selection: { activeFraction: 0.5 }, consensus: { engine: 'committee', committeeFraction: 0.4, threshold: 0.5 } });
  const c = strategyFor(s, keyOf);
  const plan = c.plan(1);
  const view = { round: 1, prev: new Uint8Array(32).fill(3) };
  const cands = plan.trainers.map((index, k) => ({ index, n: 10, params: Int32Array.from([k]), updateHash: hashOf(k) }));
  // one colluding member of two scores update 0 at 95 %: with a lower median it stays at the honest 1 %
  const [m0, m1] = plan.committee;
  const sheets = [
    c.admitSheet!(view, plan.committee, sheetMsg(memberSigner(m0), 1, view.prev, cands.map((x, k) => ({ updateHash: x.updateHash, score: k === 0 ? 950_000 : 800_000 })))),
    c.admitSheet!(view, plan.committee, sheetMsg(memberSigner(m1), 1, view.prev, cands.map((x, k) => ({ updateHash: x.updateHash, score: k === 0 ? 10_000 : 800_000 })))),
  ];
  const d = c.decide(view, cands, sheets);
  assert.equal(d.scores!.get(plan.trainers[0]), 10_000);
  assert.ok(!d.accepted.some((a) => a.index === plan.trainers[0]));
  // a sheet from a non-member, for another round, over another parent, or signed by another key is refused
  const outsider = [...Array(10).keys()].find((i) => !plan.committee.includes(i))!;
  const good = [{ updateHash: hashOf(0), score: 1 }];
  assert.throws(() => c.admitSheet!(view, plan.committee, sheetMsg(memberSigner(outsider), 1, view.prev, good)), /not_member/);
  assert.throws(() => c.admitSheet!(view, plan.committee, sheetMsg(memberSigner(m0), 2, view.prev, good)), /wrong_round/);
  assert.throws(() => c.admitSheet!(view, plan.committee, sheetMsg(memberSigner(m0), 1, new Uint8Array(32), good)), /bad_signature/);
  const forged = { ...memberSigner(outsider), id: deviceId(m0) };
  assert.throws(() => c.admitSheet!(view, plan.committee, sheetMsg(forged, 1, view.prev, good)), /bad_signature/);
  assert.throws(() => c.admitSheet!(view, plan.committee, Uint8Array.from([0xff])));
});

test('fedavg and PoW strategies: every admitted update, the aggregate verified by the engines', () => {
  const base = { name: 'p', devices: { count: 6 }, selection: { activeFraction: 0.5 } };
  const gw = nodeSigner('gw-0', demoSeed('gateway', 1));
  const keys = (id: string) => (id === 'gw-0' ? gw.publicKey : keyOf(id));
  const view = { round: 3, prev: new Uint8Array(32).fill(1) };
  for (const engine of ['none', 'pow'] as const) {
    const c = strategyFor(validateScenario({ ...base, consensus: { engine, difficulty: 6 } }), keys);
    const plan = c.plan(3);
    assert.equal(plan.trainers.length, 3);
    assert.deepEqual(plan.committee, []);
    const cands = plan.trainers.map((index, k) => ({ index, n: k + 1, params: Int32Array.from([6 * (k + 1)]), updateHash: hashOf(k) }));
    const d = c.decide(view, cands, []);
    assert.equal(d.accepted.length, 3);
    assert.deepEqual(d.params, Int32Array.from([14]), `${engine}: sample-weighted mean (6·1 + 12·2 + 18·3)/6`);
  }
  // PoW: the miner must be a known identity
  const c = strategyFor(validateScenario({ ...base, consensus: { engine: 'pow', difficulty: 4 } }), keyOf);
  assert.throws(() => c.decide(view, [{ index: 0, n: 1, params: Int32Array.from([1]), updateHash: hashOf(0) }], []), /not_member/);
});

// A scenario as a task (sim/task.ts): selection, the engine it picks and the aggregation rule,
// driven through the same engines and edge checks the gateways use.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { committeeConfig, scenarioEngine, scenarioPlan, scenarioRule } from '../sim/task.js';
import { validateScenario } from '../sim/scenario/schema.js';
import { signScoreSheet, encodeSheets, type ScoreSheet } from '../protocol/score-sheet.js';
import { encodeCanonical } from '../protocol/cbor.js';
import { sha256 } from '../protocol/bytes.js';
import { deviceId, deviceIndex } from '../protocol/ids.js';
import { scoreTopic } from '../protocol/topics.js';
import { MemoryBus } from '../protocol/memory-bus.js';
import { FakeClock } from '../protocol/clock.js';
import { nodeSigner, type Signer } from '../gateway/ledger/index.js';
import { demoSeed } from '../protocol/keys.js';
import { CommitteeEvidence } from '../gateway/evidence/committee.js';
import { Miner } from '../gateway/evidence/miner.js';
import type { RoundInput } from '../gateway/consensus/engine.js';

const memberSigner = (i: number) => nodeSigner(deviceId(i), demoSeed(deviceId(i), 1));
const keyOf = (id: string) => (deviceIndex(id) < 0 ? undefined : memberSigner(deviceIndex(id)).publicKey);
const hashOf = (k: number) => sha256(Uint8Array.from([k]));
const sheetMsg = (signer: Signer, round: number, prev: Uint8Array, scores: ScoreSheet['scores']) =>
  encodeCanonical(encodeSheets([signScoreSheet(signer, round, prev, scores)]));
const inputOf = (round: number, prev: Uint8Array, committee: string[], trainers: string[], params: (k: number) => number, n = (_k: number) => 10): RoundInput => ({
  round, prev, committee, candidates: trainers.map((id, k) => ({ id, n: n(k), params: Int32Array.from([params(k)]), updateHash: hashOf(k) })),
});

test('committee task: seeded selection outside the committee, threshold then the k best, election by score', () => {
  const s = validateScenario({ name: 'c', devices: { count: 10 }, selection: { activeFraction: 0.5 }, consensus: { engine: 'committee', committeeFraction: 0.4, threshold: 0.5, kFraction: 0.4 } });
  assert.deepEqual(committeeConfig(s), { size: 2, threshold: 500_000, k: 2, election: 'score' });
  const plan = scenarioPlan(s)(1, []);
  assert.equal(plan.trainers.length, 5);
  assert.equal(plan.committee.length, 2);
  assert.ok(plan.trainers.every((t) => !plan.committee.includes(t)));
  assert.deepEqual(scenarioPlan(s)(1, []), plan, 'the plan is a pure function of round and committee');
  const engine = scenarioEngine(s);
  const input = inputOf(1, new Uint8Array(32).fill(9), plan.committee, plan.trainers, (k) => k * 10);
  const score = (k: number) => (k === 0 ? 10 : 900_000 - k);
  const sheets = plan.committee.map((m) => signScoreSheet(memberSigner(deviceIndex(m)), 1, input.prev, input.candidates.map((c, k) => ({ updateHash: c.updateHash, score: score(k) }))));
  const d = engine.decide(input, sheets, { keyOf, ...scenarioRule(s) });
  assert.deepEqual(d.accepted, [plan.trainers[1], plan.trainers[2]], 'the k = 2 best of those over the threshold');
  assert.match(engine.explain!(plan.trainers[0], d).detail, /below the threshold 50\.00 %/);
  assert.match(engine.explain!(plan.trainers[3], d).detail, /not among the k = 2 best/);
  assert.deepEqual(d.params, Int32Array.from([15]), 'FedAvg of the two accepted (10 and 20)');
  assert.equal(d.scores.get(plan.trainers[1]), 899_999);
  // election by score among the accepted providers; the next plan seats them
  assert.deepEqual(scenarioPlan(s)(2, d.nextCommittee).committee, [plan.trainers[1], plan.trainers[2]].sort());
});

test('committee evidence over the transport: the lower median, and sheets checked at the edge', async () => {
  const s = validateScenario({ name: 'c', devices: { count: 10 }, selection: { activeFraction: 0.5 }, consensus: { engine: 'committee', committeeFraction: 0.4, threshold: 0.5 } });
  const plan = scenarioPlan(s)(1, []);
  const input = inputOf(1, new Uint8Array(32).fill(3), plan.committee, plan.trainers, (k) => k);
  const bus = new MemoryBus(), clock = new FakeClock();
  const rejects: string[] = [];
  const ev = new CommitteeEvidence({ task: 'c', transport: bus.connect('gw'), clock, keyOf, timeoutMs: 1000, onReject: (e) => rejects.push(e.reason) });
  const pending = ev.collect(input, new AbortController().signal);
  const [m0, m1] = plan.committee.map(deviceIndex);
  const outsider = [...Array(10).keys()].find((i) => !plan.committee.includes(deviceId(i)))!;
  const good = [{ updateHash: hashOf(0), score: 1 }];
  const send = (member: number, msg: Uint8Array) => ev.onMessage(scoreTopic('c', deviceId(member)), msg);
  // refused at the edge: a non-member, another round, another parent, another key, garbage, a sheet on another member's topic
  send(outsider, sheetMsg(memberSigner(outsider), 1, input.prev, good));
  send(m0, sheetMsg(memberSigner(m0), 2, input.prev, good));
  send(m0, sheetMsg(memberSigner(m0), 1, new Uint8Array(32), good));
  send(m0, sheetMsg({ ...memberSigner(outsider), id: deviceId(m0) }, 1, input.prev, good));
  send(m0, Uint8Array.from([0xff]));
  send(m1, sheetMsg(memberSigner(m0), 1, input.prev, good));
  assert.deepEqual(rejects, ['not_member', 'wrong_round', 'bad_signature', 'bad_signature', 'bad_sheet', 'bad_sheet']);
  // one colluding member of two scores update 0 at 95 %: with a lower median it stays at the honest 1 %
  send(m0, sheetMsg(memberSigner(m0), 1, input.prev, input.candidates.map((c, k) => ({ updateHash: c.updateHash, score: k === 0 ? 950_000 : 800_000 }))));
  send(m1, sheetMsg(memberSigner(m1), 1, input.prev, input.candidates.map((c, k) => ({ updateHash: c.updateHash, score: k === 0 ? 10_000 : 800_000 }))));
  const sheets = await pending;   // both members answered: no need to wait for the timeout
  assert.equal(clock.now(), 0);
  const d = scenarioEngine(s).decide(input, sheets, { keyOf, ...scenarioRule(s) });
  assert.equal(d.scores.get(plan.trainers[0]), 10_000);
  assert.ok(!d.accepted.includes(plan.trainers[0]));
});

test('fedavg and PoW tasks: every admitted update, the aggregate verified by the engines', async () => {
  const base = { name: 'p', devices: { count: 6 }, selection: { activeFraction: 0.5 } };
  const gw = nodeSigner('gw-0', demoSeed('gateway', 1));
  const keys = (id: string) => (id === 'gw-0' ? gw.publicKey : keyOf(id));
  for (const engine of ['none', 'pow'] as const) {
    const s = validateScenario({ ...base, consensus: { engine, difficulty: 6 } });
    const plan = scenarioPlan(s)(3, []);
    assert.equal(plan.trainers.length, 3);
    assert.deepEqual(plan.committee, []);
    const input = inputOf(3, new Uint8Array(32).fill(1), [], plan.trainers, (k) => 6 * (k + 1), (k) => k + 1);
    const ctx = { keyOf: keys, ...scenarioRule(s) };
    const evidence = engine === 'pow' ? await new Miner({ miner: 'gw-0', difficulty: 6, ctx }).collect(input, new AbortController().signal) : null;
    const d = scenarioEngine(s).decide(input, evidence, ctx);
    assert.equal(d.accepted.length, 3);
    assert.deepEqual(d.params, Int32Array.from([14]), `${engine}: sample-weighted mean (6·1 + 12·2 + 18·3)/6`);
  }
  // PoW: the miner must be a known identity
  const s = validateScenario({ ...base, consensus: { engine: 'pow', difficulty: 4 } });
  const input = inputOf(3, new Uint8Array(32).fill(1), [], [deviceId(0)], () => 1);
  const ctx = { keyOf, ...scenarioRule(s) };
  const ev = await new Miner({ miner: 'gw-0', difficulty: 4, ctx }).collect(input, new AbortController().signal);
  assert.throws(() => scenarioEngine(s).decide(input, ev, ctx), /not_member/);
});

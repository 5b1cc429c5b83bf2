// The round state machine (gateway/round/machine.ts) as a pure function: events in, effects
// out, no I/O. Admission, duplicates, late and early updates, deadline, decision, content and
// the summary, with the state threaded by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { step, initialState, checkProposal, type RoundConfig, type RoundState, type RoundEffect, type RoundEvent, type StepResult } from '../gateway/round/machine.js';
import { contentTxs } from '../gateway/round/content.js';
import { fedavgEngine } from '../gateway/consensus/accept-all.js';
import { committeeEngine } from '../gateway/consensus/committee.js';
import { aggregator } from '../gateway/aggregate/index.js';
import { Ledger, nodeSigner, registrationTx, type Block } from '../gateway/ledger/index.js';
import { publicKeyObject, signSign1 } from '../protocol/cose.js';
import { encodeUpdate } from '../protocol/update.js';
import { decodeModel, encodeModel } from '../protocol/model-blob.js';
import { sha256, toHex } from '../protocol/bytes.js';
import { deviceId } from '../protocol/ids.js';
import { ed25519FromSeed, demoSeed } from '../protocol/keys.js';
import { rigModel } from './support/round-rig.js';

const TASK = 't';
const devs = Array.from({ length: 3 }, (_, i) => ({ id: deviceId(i), key: ed25519FromSeed(demoSeed(deviceId(i), 9)) }));
const gw = nodeSigner('gw-0', demoSeed('gateway', 9));
const model = rigModel();

function cfg(over: Partial<RoundConfig> = {}): RoundConfig {
  return {
    task: TASK, chain: new Uint8Array(32), gateway: 'gw-0', engine: fedavgEngine, ctx: { keyOf: () => undefined, rule: aggregator('fedavg') }, rounds: 2, deadlineMs: 1000,
    devices: devs.map((d) => d.id), registry: { device: (id) => { const d = devs.find((x) => x.id === id); return d && { key: publicKeyObject(d.key.publicRaw), counter: 0 }; } },
    ...over,
  };
}
const head = { height: 1, hash: sha256(Uint8Array.of(1)), time: 0, cert: [] };
function upd(i: number, round: number, base: Uint8Array, bump = 1): Uint8Array {
  const m = decodeModel(base);
  const p = m.params.map((v, j) => (j % 5 === i ? v + bump * (i + 1) : v));
  return signSign1(new TextEncoder().encode(devs[i].id), encodeUpdate({ task: TASK, round, base: sha256(base), n: 10 + i, model: encodeModel(m.header, p), ctr: round, metrics: {} }), devs[i].key.privateKey);
}
/** Threads events through `step`, collecting effects. */
function run(c: RoundConfig, s: RoundState, events: RoundEvent[]): { s: RoundState; fx: RoundEffect[] } {
  const fx: RoundEffect[] = [];
  for (const e of events) { const r = step(c, s, e); s = r.state; fx.push(...r.effects); }
  return { s, fx };
}
const kinds = (fx: RoundEffect[]) => fx.map((e) => e.type);

test('open announces the round, sets the deadline, and is pure', () => {
  const c = cfg(), s0 = initialState({ head, model });
  const a = step(c, s0, { type: 'open', now: 5 });
  const b = step(c, s0, { type: 'open', now: 5 });
  assert.deepEqual(a, b, 'same input, same output');
  assert.equal(s0.phase, 'idle', 'the input state is not mutated');
  assert.deepEqual(kinds(a.effects), ['announce', 'timer']);
  const an = a.effects[0] as Extract<RoundEffect, { type: 'announce' }>;
  assert.equal(an.round, 1); assert.deepEqual(an.plan.trainers, devs.map((d) => d.id)); assert.equal(toHex(an.head.hash), toHex(head.hash));
  assert.deepEqual(a.effects[1], { type: 'timer', name: 'deadline', round: 1, at: 1005 });
});

test('updates: admitted, duplicate, forged, wrong round buffered as early; complete closes the round', () => {
  const c = cfg();
  let { s, fx } = run(c, initialState({ head, model }), [{ type: 'open', now: 0 }]);
  ({ s, fx } = run(c, s, [
    { type: 'update', device: devs[0].id, bytes: upd(0, 1, model), now: 1 },
    { type: 'update', device: devs[0].id, bytes: upd(0, 1, model, 2), now: 2 },              // a second one from dev 0
    { type: 'update', device: devs[1].id, bytes: upd(2, 1, model), now: 3 },                 // dev 2's bytes on dev 1's topic
    { type: 'update', device: devs[2].id, bytes: upd(2, 2, model), now: 4 },                 // for round 2: kept for later
  ]));
  assert.deepEqual(s.rejected.map((r) => r.reason), ['duplicate', 'topic_mismatch']);
  assert.equal(s.early.length, 1);
  assert.equal(s.phase, 'collecting');
  assert.deepEqual(fx.filter((e) => e.type === 'ack').map((e) => (e as { accepted: boolean }).accepted), [true, false, false]);
  ({ s, fx } = run(c, s, [{ type: 'update', device: devs[1].id, bytes: upd(1, 1, model), now: 5 }]));
  assert.equal(s.phase, 'collecting', 'dev 2 has not sent for round 1');
  ({ s, fx } = run(c, s, [{ type: 'update', device: devs[2].id, bytes: upd(2, 1, model), now: 6 }]));
  assert.equal(s.phase, 'deciding');
  const closed = fx.find((e) => e.type === 'closed') as Extract<RoundEffect, { type: 'closed' }>;
  assert.deepEqual(closed.input.candidates.map((x) => x.id), devs.map((d) => d.id), 'canonical order');
  assert.equal(toHex(closed.input.prev), toHex(head.hash), 'prev is the parent block hash');
});

test('deadline, decision, content, finality and the summary; a late update counts as late', async () => {
  const c = cfg({ evaluate: () => ({ accuracy: 0.5, loss: 1 }) });
  let { s, fx } = run(c, initialState({ head, model }), [
    { type: 'open', now: 0 },
    { type: 'update', device: devs[0].id, bytes: upd(0, 1, model), now: 1 },
    { type: 'deadline', round: 1, now: 1000 },
    { type: 'update', device: devs[1].id, bytes: upd(1, 1, model), now: 1001 },   // after close: admitted to the pool, not decided
  ]);
  assert.equal(s.phase, 'deciding');
  const closedInput = (fx.find((e) => e.type === 'closed') as Extract<RoundEffect, { type: 'closed' }>).input;
  ({ s, fx } = run(c, s, [{ type: 'evidence', round: 1, evidence: null, input: closedInput, now: 1002 }]));
  const p = fx.find((e) => e.type === 'propose') as Extract<RoundEffect, { type: 'propose' }>;
  assert.deepEqual(p.decision.accepted, [devs[0].id]);
  assert.equal(p.content.records.length, 1);
  assert.equal(p.content.modelRecord!.accuracy, 500_000, 'accuracy in ppm in the model record');
  assert.deepEqual(p.content.cons, { engine: 'fedavg', round: 1 }, 'cons.engine is the engine name');
  // seal it on a real (in-memory) ledger and finalize
  const ledger = await Ledger.openMemory({ genesis: { chainId: 'm', managers: [{ id: gw.id, publicKey: gw.publicKey }], params: { task: TASK }, timestamp: 0 } });
  try {
    await ledger.append(gw, devs.map((d) => registrationTx(gw, { id: d.id, publicKey: d.key.publicRaw, profile: { categories: ['x'], types: ['y'], size: 1 } })), { round: 0 }, 0);
    const s1 = { ...s, head: { height: 1, hash: ledger.headHash(), time: 0, cert: [] } };
    const block: Block = await ledger.append(gw, contentTxs(p.content, gw), p.content.cons, 1003);
    ({ s, fx } = run(c, s1, [{ type: 'final', round: 1, block, decision: p.decision, content: p.content, pool: p.input.candidates.map((x) => x.id), view: 0, now: 1010 }]));
    assert.deepEqual(kinds(fx), ['persist', 'summary', 'announce', 'timer']);
    const sum = (fx[1] as Extract<RoundEffect, { type: 'summary' }>).summary;
    assert.deepEqual(sum.accepted, [devs[0].id]);
    assert.deepEqual(sum.rejected.map((r) => [r.device, r.reason]), [[devs[1].id, 'late']]);
    assert.equal(sum.height, 2); assert.equal(sum.accuracy, 0.5); assert.equal(sum.ms, 1010); assert.equal(sum.consensusMs, 10);
    assert.equal(s.round, 2); assert.equal(toHex(s.head.hash), toHex(block.hash));
    assert.equal(toHex(s.modelHash), sum.modelHash);
    // a follower holding the same updates accepts the block; one that does not, retries
    const follower = run(c, initialState({ head: s1.head, model }), [{ type: 'open', now: 0 }, { type: 'update', device: devs[0].id, bytes: upd(0, 1, model), now: 1 }]).s;
    const ok = checkProposal(c, follower, { pool: p.input.candidates.map((x) => x.updateHash), committee: [], evidence: null, block });
    assert.ok(ok.ok);
    const lacking = run(c, initialState({ head: s1.head, model }), [{ type: 'open', now: 0 }]).s;
    const no = checkProposal(c, lacking, { pool: p.input.candidates.map((x) => x.updateHash), committee: [], evidence: null, block });
    assert.ok(!no.ok && no.reason === 'missing_update' && no.retry);
  } finally { await ledger.close(); }
});

test('the last round announces done; engine evidence that does not verify yields the empty decision', () => {
  const c = cfg({ rounds: 0 });
  const r = step(c, initialState({ head, model }), { type: 'open', now: 0 });
  assert.deepEqual(kinds(r.effects), ['announce', 'finished']);
  assert.equal((r.effects[0] as { done: boolean }).done, true);
  // committee engine with a forged sheet list: nothing accepted, the committee kept
  const ce = committeeEngine({ threshold: 1, k: 2, size: 1 });
  const c2 = cfg({ engine: ce });
  let { s, fx } = run(c2, initialState({ head, model, committee: [devs[2].id] }), [
    { type: 'open', now: 0 },
    { type: 'update', device: devs[0].id, bytes: upd(0, 1, model), now: 1 },
    { type: 'update', device: devs[1].id, bytes: upd(1, 1, model), now: 2 },
  ]);
  assert.equal(s.phase, 'deciding', 'the committee member does not train');
  ({ s, fx } = run(c2, s, [{ type: 'evidence', round: 1, evidence: [{ round: 1, member: devs[2].id, scores: [], sig: new Uint8Array(64) }], now: 3 }]));
  assert.deepEqual(kinds(fx), ['reject', 'propose']);
  const p = fx[1] as Extract<RoundEffect, { type: 'propose' }>;
  assert.deepEqual(p.decision.accepted, []);
  assert.deepEqual(p.decision.nextCommittee, [devs[2].id]);
  assert.equal(p.content.modelRecord, undefined);
});

test('admission keeps every state value intact: forks of one state are independent and agree with a plain-set model', () => {
  const N = 24;
  const many = Array.from({ length: N }, (_, i) => ({ id: deviceId(100 + i), key: ed25519FromSeed(demoSeed(deviceId(100 + i), 9)) }));
  const reg = new Map(many.map((d) => [d.id, { key: publicKeyObject(d.key.publicRaw), counter: 0 }]));
  const signed = (i: number, bump = 1) => {
    const m = decodeModel(model);
    // a distinct model per device (the rig model has 18 params) that never saturates
    const d = bump * (1 + Math.floor(i / m.params.length));
    const p = m.params.map((v, j) => (j === i % m.params.length ? v + (v > 0 ? -d : d) : v));
    return signSign1(new TextEncoder().encode(many[i].id), encodeUpdate({ task: TASK, round: 1, base: sha256(model), n: 1 + i, model: encodeModel(m.header, p), ctr: 1, metrics: {} }), many[i].key.privateKey);
  };
  const c = cfg({ devices: many.map((d) => d.id), registry: { device: (id) => reg.get(id) }, complete: 'accounted' });
  const s0 = step(c, initialState({ head, model }), { type: 'open', now: 0 }).state;
  // a reference model of the collections with plain sets, checked after every step of both forks
  type Ref = { accepted: string[]; settled: Set<string> };
  const check = (s: RoundState, r: Ref, what: string) => {
    assert.deepEqual([...s.accepted.keys()], r.accepted, `${what}: accepted`);
    assert.deepEqual(new Set(s.settled), r.settled, `${what}: settled`);
    assert.equal(s.hashes.size, r.accepted.length, `${what}: one hash per admitted update`);
    for (const id of r.accepted) assert.equal(s.hashes.get(toHex(s.accepted.get(id)!.updateHash)), id);
    assert.equal(s.phase, r.settled.size === N ? 'deciding' : 'collecting', `${what}: closes exactly when every trainer is heard from`);
  };
  // fork A admits the even devices first, fork B the odd ones; both then take the rest, a
  // duplicate, a forged update (device 14's topic) and an absence marker (device 9)
  const FORGED = 14, ABSENT = 9;
  const order = (first: number) => [...many.keys()].filter((i) => i % 2 === first).concat([...many.keys()].filter((i) => i % 2 !== first));
  const outcomes: StepResult[] = [];
  const mid: RoundState[] = [];
  for (const first of [0, 1]) {
    let s = s0;
    const ref: Ref = { accepted: [], settled: new Set() };
    for (const [k, i] of order(first).entries()) {
      if (k === 5) {   // a second update from an admitted device: rejected, nothing else changes
        const dup = many[order(first)[0]].id;
        s = step(c, s, { type: 'update', device: dup, bytes: signed(order(first)[0], 2), now: 1 }).state;
        check(s, ref, `fork ${first} after a duplicate`);
      }
      if (i === FORGED) {   // another device's bytes on this device's topic: rejected, the trainer is heard from
        s = step(c, s, { type: 'update', device: many[i].id, bytes: signed((i + 1) % N), now: 1 }).state;
        ref.settled.add(many[i].id);
        check(s, ref, `fork ${first} after a forged update`);
        continue;
      }
      if (i === ABSENT) { s = step(c, s, { type: 'absent', devices: [many[i].id], now: 1 }).state; ref.settled.add(many[i].id); check(s, ref, `fork ${first} after absent`); continue; }
      const r = step(c, s, { type: 'update', device: many[i].id, bytes: signed(i), now: 1 });
      ref.accepted.push(many[i].id); ref.settled.add(many[i].id);
      check(r.state, ref, `fork ${first}, update ${k}`);
      if (k === N - 1) outcomes.push(r);
      s = r.state;
      if (k === 11) mid.push(s);
    }
  }
  // the state both forks started from is untouched, and so are the forks' middle states
  assert.equal(s0.accepted.size, 0); assert.equal(s0.settled.size, 0); assert.equal(s0.hashes.size, 0);
  assert.deepEqual(mid.map((s) => s.accepted.size), [11, 11], '12 steps, one of them forged (fork 0) or absent (fork 1)');
  assert.deepEqual([...mid[0].accepted.keys()].map((id) => many.findIndex((d) => d.id === id) % 2), Array(11).fill(0));
  // both forks close on the same input: the same candidates in canonical order
  const inputs = outcomes.map((r) => (r.effects.find((e) => e.type === 'closed') as Extract<RoundEffect, { type: 'closed' }>).input);
  assert.deepEqual(inputs[0], inputs[1]);
  assert.equal(inputs[0].candidates.length, N - 2, 'the forged and the absent trainer send nothing admitted');
  // and stepping an old middle state again gives what it gave the first time
  const again = step(c, mid[0], { type: 'update', device: many[N - 1].id, bytes: signed(N - 1), now: 1 }).state;
  assert.equal(again.accepted.size, 12);
  assert.equal(mid[0].accepted.size, 11);
  assert.ok(again.accepted.has(many[N - 1].id) && !mid[0].accepted.has(many[N - 1].id));
});

test('presence: an offline trainer is not waited for, one back online is, in the default plan', () => {
  const c = cfg();
  let s = step(c, initialState({ head, model }), { type: 'open', now: 0 }).state;
  s = step(c, s, { type: 'presence', device: devs[2].id, online: false, now: 1 }).state;
  s = step(c, s, { type: 'update', device: devs[0].id, bytes: upd(0, 1, model), now: 2 }).state;
  s = step(c, s, { type: 'presence', device: devs[2].id, online: true, now: 3 }).state;
  s = step(c, s, { type: 'update', device: devs[1].id, bytes: upd(1, 1, model), now: 4 }).state;
  assert.equal(s.phase, 'collecting', 'dev 2 is back: the round waits for it');
  const off = step(c, s, { type: 'presence', device: devs[2].id, online: false, now: 5 });
  assert.equal(off.state.phase, 'deciding', 'dev 2 gone again: every other trainer has an update, the round closes');
  assert.deepEqual(kinds(off.effects), ['closed']);
});

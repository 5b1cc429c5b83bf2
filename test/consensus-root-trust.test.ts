// Root trust (gateway/consensus/root-trust.ts): FLTrust with the gateways' root dataset, and the
// reputation it carries across rounds, on hand-made 2-parameter updates whose outcome is worked
// out in the comments; the model record's reputation list (tx/global-model.ts) and the genesis
// round trip; the root update itself on real MNIST digits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rootTrustEngine, nextReputation } from '../gateway/consensus/root-trust.js';
import { rootUpdater } from '../gateway/round/root-update.js';
import type { Candidate, EngineContext, RoundInput } from '../gateway/consensus/engine.js';
import { ConsensusError } from '../gateway/consensus/engine.js';
import { aggregator } from '../gateway/aggregate/index.js';
import { engineFromParams, engineParams } from '../gateway/consensus/registry.js';
import { globalModelKind } from '../gateway/ledger/tx/global-model.js';
import { LedgerError } from '../gateway/ledger/errors.js';
import { balancedSample } from '../boards/data/split.js';
import { decodeModel } from '../protocol/model-blob.js';
import { fleet, honestUpdate } from './consensus-helpers.js';

const prev = new Uint8Array(32).fill(3);
const cand = (id: string, ...p: number[]): Candidate => ({ id, n: 10, params: Int32Array.from(p), updateHash: new Uint8Array(32).fill(id.charCodeAt(0)) });
// the gateways' root update: base + (4, 0), i.e. g₀ points along the first axis
const ctx: EngineContext = { keyOf: () => undefined, rule: aggregator('fedavg'), reference: (base) => Int32Array.from([base[0] + 4, base[1]]) };
const base = Int32Array.from([0, 0]);
const cands = [
  cand('a', 3, 1),    // cos = 3/√10 = 0.948683… → 948683 ppm
  cand('b', -2, 1),   // cos = −2/√5 = −0.894427… → −894427
  cand('c', 0, 5),    // cos = 0: not above the floor 0
  cand('d', 1, 1),    // cos = 1/√2 = 0.707106… → 707106
];
const input: RoundInput = { round: 3, prev, committee: [], candidates: cands, base };

test('root trust: only updates pointing with the root update count; scores are their ReLU cosines', () => {
  const d = rootTrustEngine().decide(input, null, ctx);
  assert.deepEqual(d.accepted, ['a', 'd']);
  assert.deepEqual(Object.fromEntries(d.scores), { a: 948683, b: 0, c: 0, d: 707106 });
  // FedAvg of (3,1) and (1,1), equal n: (2, 1)
  assert.deepEqual([...d.params!], [2, 1]);
  assert.equal(d.trust, undefined, 'no reputation without the option');
  assert.equal(rootTrustEngine().explain!('b', d).reason, 'direction_trust');
  // a negative floor lets the orthogonal one in
  assert.deepEqual(rootTrustEngine({ floor: -1 }).decide(input, null, ctx).accepted, ['a', 'c', 'd']);
});

test('root trust: the round\'s base and the root update are required, and a zero root update trusts nothing', () => {
  assert.throws(() => rootTrustEngine().decide({ ...input, base: undefined }, null, ctx), (e: unknown) => e instanceof ConsensusError && e.reason === 'no_base');
  assert.throws(() => rootTrustEngine().decide(input, null, { ...ctx, reference: undefined }), (e: unknown) => e instanceof ConsensusError && e.reason === 'no_root');
  const flat = rootTrustEngine({ reputation: true }).decide(input, null, { ...ctx, reference: (b) => Int32Array.from(b) });
  assert.deepEqual(flat.accepted, []);
  assert.equal(flat.params, undefined);
  assert.equal(flat.trust, undefined, 'a round that accepts nothing leaves the reputation as it was');
  assert.throws(() => rootTrustEngine({ floor: 1_000_000 }), RangeError);
});

test('reputation: R ← R − trunc(R/4) + cos decides admission, so one round\'s cosine is outweighed by a record', () => {
  assert.equal(nextReputation(0, 5), 5);
  assert.equal(nextReputation(2_000_000, -894_427), 605_573);      // 2e6 − 5e5 − 894427
  assert.equal(nextReputation(-4_000_000, 948_683), -2_051_317);   // −4e6 + 1e6 + 948683
  assert.equal(nextReputation(-7, 0), -6);                         // trunc(−7/4) = −1, toward zero
  const prior = new Map([['a', -4_000_000], ['b', 2_000_000], ['z', 400]]);
  const d = rootTrustEngine({ reputation: true }).decide({ ...input, trust: prior }, null, ctx);
  // a: −2,051,317 → out despite its good cosine; b: 605,573 → in despite its bad one;
  // c: 0 + 0 → out (not above 0); d: 0 + 707,106 → in; z sent nothing and keeps 400
  assert.deepEqual(d.accepted, ['b', 'd']);
  assert.deepEqual([...d.trust!].sort(), [['a', -2_051_317], ['b', 605_573], ['c', 0], ['d', 707_106], ['z', 400]]);
  // FedAvg of (−2,1) and (1,1): (−0.5, 1) → −0.5 rounds half to even → 0
  assert.deepEqual([...d.params!], [0, 1]);
  assert.match(rootTrustEngine({ reputation: true }).explain!('a', d).detail, /reputation -2051317 ppm/);
  assert.equal(prior.get('a'), -4_000_000, 'the input map is not modified');
});

test('genesis parameters rebuild the root-trust engine with its options', () => {
  const eng = rootTrustEngine({ floor: -1000, reputation: true });
  const p = engineParams(eng, 'centeredClip');
  assert.equal(p.fl_consensus, 'fedavg');
  assert.equal(p.fl_trust, 'root');
  const back = engineFromParams(p);
  assert.deepEqual(back.engine.config, eng.config);
  assert.equal(back.ruleName, 'centeredClip');
  const prior = new Map([['b', 2_000_000]]);
  assert.deepEqual(back.engine.decide({ ...input, trust: prior }, null, ctx).accepted, eng.decide({ ...input, trust: prior }, null, ctx).accepted);
});

test('model record: the reputation list round-trips and must name each device once, ids ascending', () => {
  const body = { task: 't', round: 2, modelHash: new Uint8Array(32).fill(1), updates: [], trust: [['a', -5], ['b', 7]] as [string, number][] };
  const back = globalModelKind.decode(new Map(Object.entries(globalModelKind.encode(body) as Record<string, unknown>)));
  assert.deepEqual(back.trust, body.trust);
  const bad = (trust: unknown) => () => globalModelKind.decode(new Map(Object.entries({ ...body, trust })));
  const malformed = (e: unknown) => e instanceof LedgerError && e.reason === 'malformed';
  assert.throws(bad([['b', 1], ['a', 2]]), malformed);
  assert.throws(bad([['a', 1], ['a', 2]]), malformed);
  assert.throws(bad([['a', 1.5]]), malformed);
  assert.throws(bad([['a']]), malformed);
});

test('root update on MNIST: deterministic, and an honest device\'s update agrees with it while its sign flip does not', () => {
  const f = fleet(10, 7, 0.1);
  const { header, params: p0 } = decodeModel(f.initial);
  const root = balancedSample(f.test, 10, 1);
  assert.equal(root.n, 100);
  assert.deepEqual([...new Set(root.y)].sort(), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const ref = rootUpdater(header, root, { epochs: 1, batch: 32, lr: 0.5 });
  const r1 = ref(p0, 1);
  assert.deepEqual(r1, rootUpdater(header, root, { epochs: 1, batch: 32, lr: 0.5 })(p0, 1), 'same bytes from another instance');
  assert.notDeepEqual(r1, p0);
  const ctxM: EngineContext = { keyOf: () => undefined, rule: aggregator('fedavg'), reference: ref };
  const honest = honestUpdate(f, 0, f.initial);
  const flipped: Candidate = { ...honest, id: 'dev-flip', params: honest.params.map((v, i) => p0[i] - (v - p0[i])) };
  const d = rootTrustEngine().decide({ round: 1, prev, committee: [], candidates: [honest, flipped], base: p0 }, null, ctxM);
  assert.deepEqual(d.accepted, [honest.id]);
});

// The committee engine's robustness options (gateway/consensus/committee.ts with trust.ts):
// direction trust from the members' reference updates, the election bar and the warm-up,
// on hand-made 2-parameter updates whose outcome is worked out in the comments.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { committeeEngine, signScoreSheet } from '../gateway/consensus/committee.js';
import type { Candidate, EngineContext, RoundInput } from '../gateway/consensus/engine.js';
import { aggregator } from '../gateway/aggregate/index.js';
import { engineFromParams, engineParams } from '../gateway/consensus/registry.js';
import { nodeSigner } from '../gateway/ledger/index.js';
import { demoSeed } from '../protocol/keys.js';

const prev = new Uint8Array(32).fill(3);
const ids = ['m1', 'm2', 'm3', 'a', 'b', 'c', 'd'];
const signer = (id: string) => nodeSigner(id, demoSeed(id, 1));
const keys = new Map(ids.map((id) => [id, signer(id).publicKey]));
const cand = (id: string, ...p: number[]): Candidate => ({ id, n: 10, params: Int32Array.from(p), updateHash: new Uint8Array(32).fill(ids.indexOf(id) + 1) });
const sheets = (round: number, committee: string[], cands: Candidate[], score: (member: string, c: Candidate) => number) =>
  committee.map((m) => signScoreSheet(signer(m), round, prev, cands.filter((c) => !committee.includes(c.id)).map((c) => ({ updateHash: c.updateHash, score: score(m, c) }))));

test('direction trust: updates against the members\' reference direction are left out; the rest are FLTrust-averaged', () => {
  const ctx: EngineContext = { keyOf: (id) => keys.get(id), rule: aggregator('fltrust') };
  const eng = committeeEngine({ threshold: 0, k: 10, size: 3, trust: true, election: 'score' });
  assert.equal(eng.caps.membersTrain, true);
  const base = Int32Array.from([0, 0]);
  const committee = ['m1', 'm2', 'm3'];
  // members' reference deltas (6,8), (8,6), (100,0): unit root ≈ (0.6+0.8+1, 0.8+0.6+0)·2^20, norms 10, 10, 100 → refNorm 10
  const cands = [cand('m1', 6, 8), cand('m2', 8, 6), cand('m3', 100, 0),
    cand('a', 3, 4),        // cos((3,4),(2.4,1.4)) = 0.921: trust > 0, rescaled to norm 10 → (6, 8)
    cand('b', -30, -40),    // sign-flipped: cos < 0 → trust 0, left out
    cand('c', 4, -3),       // cos((4,−3),(2.4,1.4)) = (9.6−4.2)/(5·2.778) = 0.389 > 0 → in, rescaled (8, −6)
    cand('d', -1, 2)];      // cos = (−2.4+2.8)/(2.236·2.778) = 0.064 > 0 → in, rescaled (−4.47, 8.94)
  const input: RoundInput = { round: 2, prev, committee, candidates: cands, base };
  const d = eng.decide(input, sheets(2, committee, cands, () => 500_000), ctx);
  assert.deepEqual(d.accepted, ['a', 'c', 'd']);
  assert.ok(!d.nextCommittee.includes('b'));
  // trust-weighted mean of (6,8), (8,−6), (−4.47,8.94); cos(a) = 12.8/(5·2.778) = 0.921, cos(c) 0.389, cos(d) 0.064:
  // x = (0.921·6 + 0.389·8 − 0.064·4.47)/1.375 = 6.07 → 6; y = (0.921·8 − 0.389·6 + 0.064·8.94)/1.375 = 4.08 → 4
  assert.deepEqual([...d.params!], [6, 4]);
  assert.equal(eng.explain!('b', d).reason, 'direction_trust');
  // without the round's base (or with no reference update) nothing is trusted: model and committee kept
  const none = eng.decide({ ...input, base: undefined }, sheets(2, committee, cands, () => 500_000), ctx);
  assert.deepEqual(none.accepted, []);
  assert.equal(none.params, undefined);
  assert.deepEqual(none.nextCommittee, committee);
});

test('trust floor: a negative cosine floor admits near-orthogonal updates, with zero FLTrust weight', () => {
  const ctx: EngineContext = { keyOf: (id) => keys.get(id), rule: aggregator('fltrust') };
  const committee = ['m1', 'm2', 'm3'];
  const cands = [cand('m1', 6, 8), cand('m2', 8, 6), cand('m3', 100, 0), cand('a', 3, 4), cand('b', -30, -40), cand('c', 4, -3), cand('d', -4, 3)];
  const input: RoundInput = { round: 2, prev, committee, candidates: cands, base: Int32Array.from([0, 0]) };
  const sh = sheets(2, committee, cands, () => 500_000);
  // cosines with the root (2.4, 1.4)·2^20: a 0.921, b −0.921, c 0.389, d (−9.6 + 4.2)/13.89 = −0.389
  assert.deepEqual(committeeEngine({ threshold: 0, k: 10, size: 3, trust: true }).decide(input, sh, ctx).accepted, ['a', 'c']);
  const d = committeeEngine({ threshold: 0, k: 10, size: 3, trust: true, trustFloor: -500_000 }).decide(input, sh, ctx);
  assert.deepEqual(d.accepted, ['a', 'c', 'd']);
  // d is admitted but weighs ReLU(−0.389) = 0 in FLTrust: (0.921·(6,8) + 0.389·(8,−6))/1.310 = (6.6, 3.8) → (7, 4)
  assert.deepEqual([...d.params!], [7, 4]);
  assert.throws(() => committeeEngine({ threshold: 0, k: 1, size: 1, trust: true, trustFloor: 1_000_000 }), RangeError);
});

test('median trust: a colluding minority of members cannot vote an aligned attack in; a single summed root can be steered', () => {
  const ctx: EngineContext = { keyOf: (id) => keys.get(id), rule: aggregator('centeredClip') };
  const committee = ['m1', 'm2', 'm3'];
  // honest references along x and y, a colluder's along z; the attack (−1,−1,10) follows the colluder
  const cands = [cand('m1', 10, 0, 0), cand('m2', 0, 10, 0), cand('m3', 0, 0, 10), cand('a', 5, 5, 0), cand('b', -1, -1, 10)];
  const input: RoundInput = { round: 2, prev, committee, candidates: cands, base: new Int32Array(3) };
  const sh = sheets(2, committee, cands, () => 500_000);
  // sum of units (1,1,1)·2^20: cos(b) = 8/(√102·√3) = 0.457 > 0 → admitted
  assert.deepEqual(committeeEngine({ threshold: 0, k: 10, size: 3, trust: true }).decide(input, sh, ctx).accepted, ['a', 'b']);
  // per member: cos(b) = −1/√102, −1/√102, 10/√102 → lower median −0.099 → rejected; a: 0.707, 0.707, 0 → 0.707
  const med = committeeEngine({ threshold: 0, k: 10, size: 3, trust: true, trustRoot: 'median' });
  assert.deepEqual(med.decide(input, sh, ctx).accepted, ['a']);
  assert.equal(engineFromParams(engineParams(med, 'centeredClip')).engine.config.trust_root, 'median');
});

test('election bar: passing the acceptance threshold is not enough to be seated', () => {
  const ctx: EngineContext = { keyOf: (id) => keys.get(id), rule: aggregator('fedavg') };
  const committee = ['m1', 'm2', 'm3'];
  const cands = [cand('a', 1, 1), cand('b', 2, 2), cand('c', 3, 3), cand('d', 4, 4)];
  // every member gives a 0.9, b 0.5, c 0.35, d 0.2
  const sc: Record<string, number> = { a: 900_000, b: 500_000, c: 350_000, d: 200_000 };
  const sh = sheets(5, committee, cands, (_m, c) => sc[c.id]);
  const plain = committeeEngine({ threshold: 300_000, k: 4, size: 3 }).decide({ round: 5, prev, committee, candidates: cands }, sh, ctx);
  assert.deepEqual(plain.accepted, ['a', 'b', 'c']);
  assert.deepEqual(plain.nextCommittee, ['a', 'b', 'c']);
  const barred = committeeEngine({ threshold: 300_000, k: 4, size: 3, electThreshold: 600_000 }).decide({ round: 5, prev, committee, candidates: cands }, sh, ctx);
  assert.deepEqual(barred.accepted, ['a', 'b', 'c']);   // acceptance unchanged
  assert.deepEqual(barred.nextCommittee, ['a']);        // only a clears 0.6: the committee shrinks
  assert.throws(() => committeeEngine({ threshold: 300_000, k: 1, size: 3, electThreshold: 200_000 }), RangeError);
});

test('warm-up: the first rounds elect at random among the eligible, later rounds by score', () => {
  const ctx: EngineContext = { keyOf: (id) => keys.get(id), rule: aggregator('fedavg') };
  const committee = ['m1', 'm2', 'm3'];
  const cands = [cand('a', 1, 1), cand('b', 2, 2), cand('c', 3, 3), cand('d', 4, 4)];
  const sc: Record<string, number> = { a: 900_000, b: 800_000, c: 700_000, d: 600_000 };
  const eng = committeeEngine({ threshold: 0, k: 4, size: 2, warmup: 40 });
  const byScore = committeeEngine({ threshold: 0, k: 4, size: 2 });
  const seen = new Set<string>();
  for (let round = 1; round <= 40; round++) {
    const d = eng.decide({ round, prev, committee, candidates: cands }, sheets(round, committee, cands, (_m, c) => sc[c.id]), ctx);
    seen.add(d.nextCommittee.join());
    assert.deepEqual(byScore.decide({ round, prev, committee, candidates: cands }, sheets(round, committee, cands, (_m, c) => sc[c.id]), ctx).nextCommittee, ['a', 'b']);
  }
  assert.ok(seen.size >= 3, `random seats vary over the warm-up (${[...seen].join(' | ')})`);
  const after = eng.decide({ round: 41, prev, committee, candidates: cands }, sheets(41, committee, cands, (_m, c) => sc[c.id]), ctx);
  assert.deepEqual(after.nextCommittee, ['a', 'b']);
});

test('the new committee options survive the genesis parameters', () => {
  const eng = committeeEngine({ threshold: 100_000, k: 4, size: 3, electThreshold: 300_000, warmup: 3, trust: true });
  const p = engineParams(eng, 'fltrust');
  assert.equal(p.fl_elect_threshold, 300_000);
  assert.equal(p.fl_warmup, 3);
  assert.equal(p.fl_trust, 1);
  const back = engineFromParams(p);
  assert.deepEqual(back.engine.config, eng.config);
  assert.equal(back.ruleName, 'fltrust');
  // an engine without them records none (old genesis files stay byte-identical)
  assert.deepEqual(Object.keys(engineParams(committeeEngine({ threshold: 1, k: 1, size: 1 }))).sort(), ['fl_consensus', 'fl_election', 'fl_k', 'fl_rule', 'fl_size', 'fl_threshold']);
});

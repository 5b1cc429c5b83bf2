import { test } from 'node:test';
import assert from 'node:assert/strict';
import { committeeEngine, committeeScore, signScoreSheet, type ScoreSheet } from '../gateway/consensus/committee.js';
import { electCommittee } from '../gateway/consensus/election.js';
import { attackProbability, attackProbabilityShares } from '../gateway/consensus/attack.js';
import { ConsensusError, type Candidate, type EngineContext, type RoundInput } from '../gateway/consensus/engine.js';
import { aggregator } from '../gateway/aggregate/index.js';
import { encodeModel, decodeModel } from '../protocol/model-blob.js';
import { Rng } from '../boards/data/rng.js';
import { fleet, honestUpdate, noiseUpdate, scoreOn } from './consensus-helpers.js';

const prev = new Uint8Array(32).fill(7);

test('committee score is the lower median over all M members, a missing score counting 0', () => {
  assert.equal(committeeScore([9, 9, 1, 1, 1], 5), 1);       // 2 of 5 high: not a majority
  assert.equal(committeeScore([9, 9, 9, 1, 1], 5), 9);       // 3 of 5 high
  assert.equal(committeeScore([9, 9, 1, 1], 4), 1);          // exactly half is not more than half
  assert.equal(committeeScore([9, 9, 9], 5), 9);             // 3 present, 2 missing → still 3 ≥ 9
  assert.equal(committeeScore([9, 9], 5), 0);
  assert.throws(() => committeeScore([1, 2, 3], 2), RangeError);
});

// Brute force over every committee of a small population: an independent check of the tail sum.
function enumerate(pop: number, mal: number, seats: number): number {
  let hits = 0, total = 0;
  const rec = (start: number, left: number, m: number) => {
    if (left === 0) { total++; if (m > seats / 2) hits++; return; }
    for (let i = start; i <= pop - left; i++) rec(i + 1, left - 1, m + (i < mal ? 1 : 0));
  };
  rec(0, seats, 0);
  return hits / total;
}

test('hypergeometric attack probability matches exhaustive enumeration on small populations', () => {
  for (const [A, K, n] of [[10, 4, 5], [12, 6, 4], [14, 9, 7], [9, 2, 3]]) {
    assert.ok(Math.abs(attackProbability(A, K, n) - enumerate(A, K, n)) < 1e-12, `${A},${K},${n}`);
  }
});

test('hypergeometric attack probability matches a Monte-Carlo simulation of committee draws (002 Fig. 3)', () => {
  const rng = new Rng(42);
  const A = 1000, trials = 20_000;
  for (const [q, p] of [[0.4, 0.05], [0.5, 0.02], [0.3, 0.01], [0.55, 0.03]]) {
    const K = Math.round(A * q), n = Math.round(A * p);
    let hits = 0;
    const idx = Array.from({ length: A }, (_, i) => i);
    for (let t = 0; t < trials; t++) {
      let m = 0;
      for (let s = 0; s < n; s++) { // partial Fisher–Yates: a uniform draw without replacement
        const j = s + rng.int(A - s);
        [idx[s], idx[j]] = [idx[j], idx[s]];
        if (idx[s] < K) m++;
      }
      if (m > n / 2) hits++;
    }
    const exact = attackProbabilityShares(A, q, p);
    const sd = Math.sqrt((exact * (1 - exact)) / trials);
    assert.ok(Math.abs(hits / trials - exact) <= 4 * sd + 1e-3, `q=${q} p=${p}: mc ${hits / trials} vs ${exact}`);
  }
  // Shape of Fig. 3: small below half, large above.
  assert.ok(attackProbabilityShares(1000, 0.3, 0.1) < 1e-3);
  assert.ok(attackProbabilityShares(1000, 0.7, 0.1) > 0.999);
});

test('elections: by score, seeded random (same seed → same committee), multi-factor with capability', () => {
  const c = [{ id: 'a', score: 900, capability: 1 }, { id: 'b', score: 800, capability: 1000 }, { id: 'c', score: 850, capability: 10 }, { id: 'd', score: 100, capability: 5000 }];
  const seed = { prev, round: 3 };
  assert.deepEqual(electCommittee(c, { method: 'score', size: 2, seed }), ['a', 'c']);
  assert.deepEqual(electCommittee(c, { method: 'multi', size: 2, seed, capabilityWeight: 500_000 }), ['b', 'd']);
  const r1 = electCommittee(c, { method: 'random', size: 2, seed });
  assert.deepEqual(electCommittee(c, { method: 'random', size: 2, seed }), r1);
  const seen = new Set<string>();
  for (let round = 0; round < 40; round++) seen.add(electCommittee(c, { method: 'random', size: 2, seed: { prev, round } }).join());
  assert.ok(seen.size >= 4, 'random election varies with the seed');
  assert.deepEqual(electCommittee(c.slice(0, 1), { method: 'score', size: 3, seed, fallback: ['z', 'a', 'y'] }), ['a', 'y', 'z']);
});

test('score sheets: non-members, forged signatures, duplicates and wrong rounds are refused', () => {
  const f = fleet(4);
  const ctx: EngineContext = { keyOf: (id) => f.ids.includes(id) ? f.signer(id).publicKey : undefined, rule: aggregator('fedavg') };
  const cand: Candidate = { id: f.ids[3], n: 5, params: new Int32Array(4), updateHash: new Uint8Array(32) };
  const input: RoundInput = { round: 1, prev, candidates: [cand], committee: [f.ids[0], f.ids[1]] };
  const eng = committeeEngine({ threshold: 1, k: 1, size: 2 });
  const sheet = (id: string, round = 1) => signScoreSheet(f.signer(id), round, prev, [{ updateHash: cand.updateHash, score: 5 }]);
  const expectReason = (sheets: ScoreSheet[], reason: string) =>
    assert.throws(() => eng.decide(input, sheets, ctx), (e: unknown) => e instanceof ConsensusError && e.reason === reason);
  expectReason([sheet(f.ids[2])], 'not_member');
  expectReason([sheet(f.ids[0]), sheet(f.ids[0])], 'duplicate');
  expectReason([sheet(f.ids[0], 2)], 'wrong_round');
  const forged = sheet(f.ids[0]); forged.scores[0].score = 999_999;
  expectReason([forged], 'bad_signature');
  const d = eng.decide(input, [sheet(f.ids[0]), sheet(f.ids[1])], ctx);
  assert.deepEqual(d.accepted, [f.ids[3]]);
  // evidence survives its wire encoding
  const back = eng.decodeEvidence(eng.encodeEvidence([sheet(f.ids[0])]));
  assert.equal(back[0].member, f.ids[0]);
  assert.deepEqual(eng.decide(input, back, ctx).scores.get(f.ids[3]), 0); // one of two members: lower median 0
});

test('a colluding minority in the first BFLC committee cannot get Gaussian-noise updates accepted, nor enter the committee', () => {
  const f = fleet(12, 11);
  const ctx: EngineContext = { keyOf: (id) => f.signer(id).publicKey, rule: aggregator('fedavg') };
  const colluders = new Set([f.ids[0], f.ids[1], f.ids[10], f.ids[11]]); // 2 of the 5 seats, plus 2 poisoning trainers
  let committee = f.ids.slice(0, 5);
  let model = f.initial;
  const eng = committeeEngine({ threshold: 400_000, k: 6, size: 5 });
  for (let round = 1; round <= 3; round++) {
    const trainers = f.ids.map((_, i) => i).filter((i) => !committee.includes(f.ids[i]));
    const cands = trainers.map((i) => colluders.has(f.ids[i]) ? noiseUpdate(f, i, model, 100 * round + i) : honestUpdate(f, i, model, round));
    const noisy = new Set(cands.filter((c) => colluders.has(c.id)).map((c) => c.id));
    const sheets = committee.map((m) => {
      const i = f.ids.indexOf(m);
      // Colluding members give noise updates full marks and honest ones zero (002 §IV's attack).
      const scores = cands.map((c) => ({ updateHash: c.updateHash, score: colluders.has(m) ? (noisy.has(c.id) ? 1_000_000 : 0) : scoreOn(f, c.params, f.shards[i]) }));
      return signScoreSheet(f.signer(m), round, prev, scores);
    });
    const d = eng.decide({ round, prev, candidates: cands, committee }, sheets, ctx);
    for (const id of noisy) assert.ok(!d.accepted.includes(id), `round ${round}: noise update of ${id} accepted`);
    assert.ok(d.accepted.length >= 3, `round ${round}: honest updates accepted (${d.accepted.length})`);
    for (const m of d.nextCommittee) if (!committee.includes(m)) assert.ok(!colluders.has(m), `colluder ${m} elected`);
    committee = d.nextCommittee;
    model = encodeModel(f.header, d.params!);
  }
  assert.ok(committee.filter((m) => colluders.has(m)).length < 3, 'colluders never gain a majority');
  assert.ok(scoreOn(f, decodeModel(model).params, f.test) > 600_000, 'the global model still learns');
});


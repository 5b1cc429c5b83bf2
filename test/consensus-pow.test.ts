import { test } from 'node:test';
import assert from 'node:assert/strict';
import { powEngine, mine, workPrefix, checkWork } from '../gateway/consensus/pow.js';
import { chooseBranch, reputationByBlocks, reputationByStake, producedCounts, type Branch } from '../gateway/consensus/fork.js';
import { ConsensusError, type Candidate, type EngineContext, type RoundInput } from '../gateway/consensus/engine.js';
import { aggregator } from '../gateway/aggregate/index.js';
import { leadingZeroBits } from '../gateway/ledger/seal/work.js';
import { sha256 } from '../protocol/bytes.js';

const prev = new Uint8Array(32).fill(1);
const cand = (id: string, v: number[], n = 10): Candidate => ({ id, n, params: Int32Array.from(v), updateHash: sha256(new Uint8Array(Int32Array.from(v).buffer)) });
const cands = [cand('d1', [10, 20, 30]), cand('d2', [30, 0, -30], 30), cand('d3', [0, 5, 7])];
const ctx: EngineContext = { keyOf: (id) => (id.startsWith('gw') ? new Uint8Array(32) : undefined), rule: aggregator('fedavg') };
const input: RoundInput = { round: 2, prev, candidates: cands, committee: [] };

test('PoW: a mined nonce over the recomputed aggregate verifies; difficulty is adjustable', () => {
  const eng = powEngine({ difficulty: 10 });
  const params = aggregator('fedavg')(cands.map((c) => ({ params: c.params, n: c.n })));
  const prefix = workPrefix(input, 'gw-1', params, 10);
  const nonce = mine(prefix, 10, 0, 1 << 20)!;
  assert.ok(nonce !== undefined && checkWork(prefix, nonce, 10));
  const d = eng.decide(input, { miner: 'gw-1', nonce, difficulty: 10 }, ctx);
  assert.deepEqual(d.params, params);
  assert.equal(d.leader, 'gw-1');
  // expected work doubles per bit: over many prefixes the mean first nonce grows with difficulty
  const meanNonce = (bits: number) => { let s = 0; for (let r = 0; r < 40; r++) s += mine(workPrefix({ ...input, round: r }, 'gw-1', params, bits), bits, 0, 1 << 22)!; return s / 40; };
  assert.ok(meanNonce(8) > 4 * meanNonce(4));
});

test('PoW: other miners reject a wrong nonce, a wrong aggregate, a low difficulty, an unknown miner', () => {
  const eng = powEngine({ difficulty: 8 });
  const params = aggregator('fedavg')(cands.map((c) => ({ params: c.params, n: c.n })));
  const nonce = mine(workPrefix(input, 'gw-1', params, 8), 8, 0, 1 << 20)!;
  const bad = (f: () => unknown) => assert.throws(f, (e: unknown) => e instanceof ConsensusError);
  let wrong = nonce + 1; while (checkWork(workPrefix(input, 'gw-1', params, 8), wrong, 8)) wrong++;
  bad(() => eng.decide(input, { miner: 'gw-1', nonce: wrong, difficulty: 8 }, ctx));
  // the miner aggregated a different pool (one update dropped): recomputation disagrees
  const tampered = aggregator('fedavg')(cands.slice(0, 2).map((c) => ({ params: c.params, n: c.n })));
  const n2 = mine(workPrefix(input, 'gw-1', tampered, 8), 8, 0, 1 << 20)!;
  if (!checkWork(workPrefix(input, 'gw-1', params, 8), n2, 8)) bad(() => eng.decide(input, { miner: 'gw-1', nonce: n2, difficulty: 8 }, ctx));
  const n3 = mine(workPrefix(input, 'gw-1', params, 4), 4, 0, 1 << 20)!;
  bad(() => eng.decide(input, { miner: 'gw-1', nonce: n3, difficulty: 4 }, ctx));
  bad(() => eng.decide(input, { miner: 'mallory', nonce, difficulty: 8 }, ctx));
  assert.ok(leadingZeroBits(new Uint8Array([0, 0x10])) === 11);
});

test('fork rules: highest reputation, smallest Euclidean distance, longest chain tie-break, total order', () => {
  const blk = (miner: string, p: number[], h: number) => ({ miner, params: Int32Array.from(p), hash: new Uint8Array(32).fill(h) });
  const a: Branch = [blk('gw-a', [0, 0], 5)];
  const b: Branch = [blk('gw-b', [10, 10], 4), blk('gw-a', [11, 11], 9)];
  const rep = (m: string) => ({ 'gw-a': 900_000, 'gw-b': 500_000 } as Record<string, number>)[m];
  assert.equal(chooseBranch([a, b], 'reputation', { reputation: rep }), 0);
  assert.equal(chooseBranch([a, b], 'distance', { local: Int32Array.from([9, 9]) }), 1);
  assert.equal(chooseBranch([a, b], 'distance', { local: Int32Array.from([1, 0]) }), 0);
  assert.equal(chooseBranch([a, b], 'longest'), 1);
  // equal reputation → longest; equal length → smallest tip hash, whatever the input order
  assert.equal(chooseBranch([a, b], 'reputation', { reputation: () => 1 }), 1);
  const c: Branch = [blk('gw-c', [0, 0], 2)];
  assert.equal(chooseBranch([a, c], 'longest'), 1);
  assert.equal(chooseBranch([c, a], 'longest'), 0);
  assert.throws(() => chooseBranch([a], 'distance'), RangeError);
});

test('miner reputation: blocks produced / rounds (n/m) and staked balance s/t', () => {
  const produced = producedCounts(['gw-1', 'gw-2', 'gw-1', 'gw-1']);
  assert.equal(reputationByBlocks(produced.get('gw-1')!, 4), 750_000);
  assert.equal(reputationByBlocks(produced.get('gw-2')!, 4), 250_000);
  assert.equal(reputationByBlocks(0, 0), 0);
  assert.equal(reputationByStake(30, 120), 250_000);
});

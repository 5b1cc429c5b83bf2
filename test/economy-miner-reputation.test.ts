// Seed 004 miner reputation by both methods feeding the fork rule (n/m: blocks produced over
// rounds; s/t: balance over stake), and `ledger reputation`'s view of a state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseBranch, type Branch } from '../gateway/consensus/fork.js';
import { reputationJson } from '../gateway/audit/cli.js';

const tip = (miner: string, h: number): Branch => [{ miner, hash: new Uint8Array(32).fill(h), params: new Int32Array(1) }];

test('fork rule by stake: the branch of the miner with the larger s/t wins; n/m may disagree', () => {
  const a = tip('m1', 1), b = tip('m2', 2);
  const blocks = (m: string) => (m === 'm1' ? 800_000 : 200_000), stake = (m: string) => (m === 'm1' ? 100 : 900);
  assert.equal(chooseBranch([a, b], 'reputation', { reputation: blocks }), 0);
  assert.equal(chooseBranch([a, b], 'stake', { stake }), 1);
  assert.throws(() => chooseBranch([a, b], 'stake', {}), RangeError);
});

test('ledger reputation: 003 standings with T and Z, contribution rounds, miners by n/m and s/t', () => {
  const state: [string, unknown][] = [
    ['supply', 1_000],
    ['bal/gw-0', 250], ['bal/gw-1', 50],
    ['task/T', { publisher: 'p', deposit: 1, pool: 0, rounds: 1, slots: 1, minSize: 0, split: { trainers: 1, miner: 0 }, status: 'closed', bidders: [], winners: [], height: 1,
      incentive: { split: { providers: 1, reputation: 0, aggregator: 0, center: 0 }, rep: { b: 10, d: 10, alpha: 2_000_000, w0: 40, decay: 500_000, threshold: 15 }, method: 'exact', budget: 1 } }],
    ['standing/T/d1', { b: 20, d: 10, t: 3, w: 5, barred: false }],
    ['contrib/T/1', { method: 'exact', evaluations: 4, phi: [{ to: 'd1', phi: 7 }], rejected: [] }],
  ];
  const r = reputationJson(state as never, ['gw-0', 'gw-0', 'gw-1', 'gw-0']) as any;
  assert.deepEqual(r.tasks.T.participants.d1, { b: 20, d: 10, t: 3, w: 5, barred: false, T: 0, Z: 5 });   // T = 20 − 2·10
  assert.equal(r.tasks.T.rounds['1'].phi[0].phi, 7);
  assert.deepEqual(r.miners['gw-0'], { blocks: 3, byBlocksPpm: 750_000, byStakePpm: 250_000 });
  assert.deepEqual(r.miners['gw-1'], { blocks: 1, byBlocksPpm: 250_000, byStakePpm: 50_000 });
});

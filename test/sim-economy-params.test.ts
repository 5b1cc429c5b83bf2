// The demo's economic parameters (sim/economy/params.ts, args.ts): defaults, a task file,
// command-line overrides, and each bad value refused with its reason before anything runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadEconomy, DEFAULT_ECONOMY } from '../sim/economy/params.js';
import { economyFromFlags } from '../sim/economy/args.js';
import { tempDir } from './support/tmp.js';

test('defaults are valid; a task file and flags override them key by key', () => {
  assert.deepEqual(loadEconomy(), DEFAULT_ECONOMY);
  const t = tempDir('eco-');
  try {
    const f = join(t.dir, 'task.json');
    writeFileSync(f, JSON.stringify({ pool: 5_000, incentive: { rep: { threshold: 3 } } }));
    const p = loadEconomy(f, { deposit: 7 });
    assert.equal(p.pool, 5_000); assert.equal(p.deposit, 7);
    assert.equal(p.incentive.rep.threshold, 3); assert.equal(p.incentive.rep.w0, DEFAULT_ECONOMY.incentive.rep.w0);
    const q = economyFromFlags({ economy: f, slots: '3', pays: '004', shapley: 'gtg', 'shapley-budget': '100' })!;
    assert.equal(q.slots, 3); assert.equal(q.pays, '004'); assert.equal(q.incentive.method, 'gtg'); assert.equal(q.incentive.budget, 100); assert.equal(q.pool, 5_000);
    assert.equal(economyFromFlags({ 'no-economy': true }), undefined);
    writeFileSync(f, JSON.stringify({ poool: 1 }));
    assert.throws(() => loadEconomy(f), /unknown key poool/);
    writeFileSync(f, '{not json');
    assert.throws(() => loadEconomy(f), /economy file/);
  } finally { t.cleanup(); }
});

test('bad economic input from a file or flags is refused with its reason', () => {
  assert.throws(() => loadEconomy(undefined, { split: { trainers: 900_000, miner: 200_000 } }), /split ratios sum to 1100000/);
  assert.throws(() => loadEconomy(undefined, { incentive: { ...DEFAULT_ECONOMY.incentive, split: { providers: 1, reputation: 0, aggregator: 0, center: 0 } } }), /incentive.split/);
  assert.throws(() => loadEconomy(undefined, { pool: -1 }), /pool must be a non-negative integer/);
  assert.throws(() => loadEconomy(undefined, { deposit: 0 }), /bid without a deposit/);
  assert.throws(() => loadEconomy(undefined, { pool: 2_000_000 }), /cannot lock a pool/);                // overdraft
  assert.throws(() => loadEconomy(undefined, { deposit: 20_000 }), /cannot pay deposit/);               // overdraft
  assert.throws(() => loadEconomy(undefined, { incentive: { ...DEFAULT_ECONOMY.incentive, rep: { ...DEFAULT_ECONOMY.incentive.rep, decay: 1_000_000 } } }), /decay/);
  assert.throws(() => economyFromFlags({ fee: '-2' }), /--fee must be a non-negative integer/);
  assert.throws(() => economyFromFlags({ pays: '005' }), /pays must be 003 or 004/);
  assert.throws(() => economyFromFlags({ shapley: 'magic' }), /method magic/);
});

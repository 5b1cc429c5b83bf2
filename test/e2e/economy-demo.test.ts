// The demo with a task on the chain (issue "Done when" 1 and 3): a published task, fees, bids
// with deposits, selection (the losers refunded), per-round 003 rewards, and the settlement at
// the end — a free rider (caught by the no-progress detector) earns 0 and loses its deposit,
// the honest winners are refunded and paid. The supply invariant holds at every height of a
// fresh replay of the chain, and `ledger verify` re-derives every balance.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runFederated } from '../../sim/run.js';
import { loadEconomy } from '../../sim/economy/params.js';
import { Ledger, type GenesisConfig } from '../../gateway/ledger/index.js';
import { tempDir } from '../support/tmp.js';
import { join } from 'node:path';
import { deviceRows } from '../../gateway/dashboard/views.js';

test('demo economy: bids, selection, rewards, refunds and a slashed free rider; supply conserved at every height', async () => {
  const tmp = tempDir('e2e-economy-');
  try {
    // 6 bidders, 5 slots: one loser; board 1 is a free rider
    const economy = loadEconomy(undefined, { slots: 5, fee: 25, pool: 60_000 });
    const r = await runFederated({ devices: 6, rounds: 3, alpha: 0.5, seed: 3, epochs: 1, roundTimeoutMs: 4_000, dataDir: tmp.dir, economy, misbehave: { 1: 'free-rider' } });
    assert.equal(r.rounds, 3);
    assert.equal(r.ledger_verified, true, 'ledger verify re-executes every block and balance');
    const e = r.economy!;
    assert.equal(e.winners.length, 5);
    const loser = ['dev-00000', 'dev-00001', 'dev-00002', 'dev-00003', 'dev-00004', 'dev-00005'].find((id) => !e.winners.includes(id))!;
    assert.ok(e.winners.includes('dev-00001'), 'the free rider must be a winner for this test (change the seed otherwise)');
    const row = (id: string) => e.rewards.find((x) => x.id === id)!;
    assert.equal(row(loser).deposit, 'lost (refunded)');
    assert.equal(row(loser).payout, 0);
    const fr = row('dev-00001');
    assert.equal(fr.accepted, 0);
    assert.equal(fr.payout, 0, 'a detected free rider earns nothing');
    assert.equal(fr.deposit, 'slashed');
    assert.equal(e.settlements.find((s) => s.id === 'dev-00001')?.outcome, 'slash');
    const honest = e.winners.filter((id) => id !== 'dev-00001');
    for (const id of honest) { assert.equal(row(id).deposit, 'refunded', id); assert.equal(row(id).accepted, 3, id); }
    assert.ok(honest.some((id) => row(id).payout > 0), 'honest winners are paid');
    assert.equal(e.supply.ok, true);

    await replayChecked(tmp.dir, 6 * economy.balances.device + economy.balances.requester, async (fresh, disk) => {
      assert.equal(fresh.task(economy.task)?.status, 'closed');
      assert.equal(fresh.deviceRecord('dev-00001')?.status, 'revoked', 'the slashed winner\'s key is revoked');
      for (const id of [loser, ...e.winners]) assert.equal(fresh.balance(id), disk.balance(id));
      // the dashboard's devices table shows the same standing, deposit outcome and balance
      const ids = [loser, ...e.winners].sort();
      const status = { refunded: 'returned', slashed: 'forfeited', 'lost (refunded)': 'lost' } as Record<string, string>;
      for (const d of deviceRows(disk, ids, undefined, r.summaries)) {
        const want = row(d.id);
        assert.deepEqual([d.task, d.bid, d.reputation, d.barred ?? false, d.balance], [economy.task, status[want.deposit], want.reputation, want.barred, disk.balance(d.id)], d.id);
      }
    });
  } finally { tmp.cleanup(); }
});

/** Replays the chain in `dir` block by block into a fresh ledger: the supply invariant at every height. */
async function replayChecked(dir: string, supply: number, then: (fresh: Ledger, disk: Ledger) => Promise<void>): Promise<void> {
    const disk = await Ledger.open(dir);
    const g0 = await disk.block(0);
    const gb = g0.txs[0]!.body as GenesisConfig;
    const fresh = await Ledger.openMemory({ genesis: { chainId: gb.chainId, managers: gb.managers, params: gb.params, balances: gb.balances, timestamp: g0.header.time }, envelopes: 'off' });
    try {
      assert.equal((await disk.verify()).ok, true);
      for (let h = 1; h <= disk.height; h++) {
        await fresh.importBlock(await disk.block(h));
        const s = fresh.supply();
        assert.ok(s.ok, `height ${h}: ${JSON.stringify(s)}`);
        assert.equal(s.supply, supply);
      }
      await then(fresh, disk);
    } finally { await fresh.close(); await disk.close(); }
}

test('demo economy on a 4-gateway committee cluster: a poisoner the committee rejects earns 0, is barred and slashed', async () => {
  const tmp = tempDir('e2e-economy-committee-');
  try {
    const economy = loadEconomy();
    // dev-00005 trains five epochs on random labels; the first committee is dev-00000 and dev-00001
    const r = await runFederated({ devices: 6, rounds: 3, alpha: 0.5, seed: 3, epochs: 1, roundTimeoutMs: 6_000, dataDir: tmp.dir, economy, misbehave: { 5: 'noisy-labels' }, consensus: 'committee', gateways: 4 });
    assert.equal(r.rounds, 3);
    assert.equal(r.ledger_verified, true, 'every gateway verifies its chain and re-runs the committee decisions');
    for (const s of r.summaries) assert.ok(s.rejected.some((x) => x.device === 'dev-00005' && x.reason === 'committee_score'), `round ${s.round}: poisoner not rejected`);
    const row = r.economy!.rewards.find((x) => x.id === 'dev-00005')!;
    assert.equal(row.payout, 0);
    assert.equal(row.deposit, 'slashed');
    assert.equal(row.barred, true, 'three rejections bar it by reputation (Z < threshold)');
    const honest = r.economy!.rewards.filter((x) => x.id !== 'dev-00005' && x.accepted > 0);
    assert.ok(honest.length >= 3 && honest.every((x) => x.payout > 0 && x.deposit === 'refunded'));
    await replayChecked(join(tmp.dir, 'gw-2'), 6 * economy.balances.device + economy.balances.requester, async (fresh) => {
      assert.equal(fresh.deviceRecord('dev-00005')?.status, 'blacklisted');
    });
  } finally { tmp.cleanup(); }
});

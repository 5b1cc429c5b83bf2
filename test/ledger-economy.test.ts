// Seed 004 (BC-FL) §III-B task life cycle on the ledger: publish with a pool, bids with stakes,
// deterministic selection, payouts by data size × score, refund, slash, close; the supply
// invariant after every block, and each bad economic input refused with its reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Ledger, registrationTx, taskPublishTx, bidTx, selectTx, payoutTx, refundTx, slashTx, rewardTx, penaltyTx,
  taskCloseTx, decodeAnyTx, type Tx, type TaskPublishBody,
} from '../gateway/ledger/index.js';
import { encodeCanonical } from '../protocol/cbor.js';
import { signer, genesis, profile, reason, appendChecked } from './ledger-helpers.js';

const gw = signer('gw', 1);
const pub = signer('pub', 20);
const [b0, b1, b2, b3] = [signer('b0', 10), signer('b1', 11), signer('b2', 12), signer('b3', 13)];
const START = { pub: 10_000, b0: 1_000, b1: 1_000, b2: 1_000, b3: 1_000 };
const SUPPLY = 14_000;

let time = 2_000;
/** Appends and then checks the invariant over the whole state, at every height. */
const add = (l: Ledger, txs: Tx[]): Promise<void> => appendChecked(l, gw, txs, SUPPLY, time++);

async function withLedger(fn: (l: Ledger) => Promise<void>) {
  const l = await Ledger.openMemory({ genesis: genesis([gw], {}, START), envelopes: 'off' });
  try {
    await add(l, [pub, b0, b1, b2, b3].map((b) => registrationTx(gw, { id: b.id, publicKey: b.publicKey, profile })));
    await fn(l);
    const v = await l.verify();
    assert.equal(v.ok, true, v.error);
  } finally { await l.close(); }
}

const taskBody = (o: Partial<TaskPublishBody> = {}): TaskPublishBody =>
  ({ task: 'T', pool: 1_000, deposit: 100, slots: 2, minSize: 100, rounds: 3, split: { trainers: 900_000, miner: 100_000 }, ctr: 1, ...o });
const bid = (b: typeof b0, price: number, capability: number, size: number, stake = 100, ctr = 1) =>
  bidTx(b, { task: 'T', price, capability, size, stake, ctr });

/** Publishes T and places four bids; by capability/price b0 = b3 (5) > b2 (4) > b1 (3), and
 *  b0 beats b3 on the id tie-break, so slots = 2 selects [b0, b3]. */
async function publishAndBid(l: Ledger): Promise<void> {
  await add(l, [taskPublishTx(pub, taskBody())]);
  await add(l, [bid(b0, 10, 50, 600), bid(b1, 20, 60, 600), bid(b2, 5, 20, 600), bid(b3, 10, 50, 300)]);
}

test('004 life cycle: selection, payout, refund, slash and close move every token exactly', () => withLedger(async (l) => {
  await publishAndBid(l);
  assert.equal(l.balance('pub'), 9_000);
  assert.equal(l.task('T')?.pool, 1_000);
  for (const b of ['b0', 'b1', 'b2', 'b3']) assert.equal(l.balance(b), 900);
  await assert.rejects(add(l, [selectTx(gw, { task: 'T', winners: ['b0', 'b2'] })]), reason('bad_selection'));
  await assert.rejects(add(l, [selectTx(gw, { task: 'T', winners: ['b3', 'b0'] })]), reason('bad_selection'));
  await add(l, [selectTx(gw, { task: 'T', winners: ['b0', 'b3'] })]);
  assert.deepEqual(l.task('T')?.winners, ['b0', 'b3']);
  assert.equal(l.balance('b1'), 1_000);               // losers reclaim their deposits
  assert.equal(l.balance('b2'), 1_000);
  assert.equal(l.bid('T', 'b1')?.status, 'lost');
  assert.equal(l.bid('T', 'b0')?.status, 'won');
  // 101 tokens at 90 % / 10 %: 90.9 | 10.1 → 90 | 10, the leftover 1 to the larger remainder
  // (trainers) → 91 | 10. Weights 600 × 0.5 = 300 × 1.0: 45.5 each → 45 | 45, the leftover to
  // the lower index (b0) → 46 | 45.
  await add(l, [payoutTx(gw, { task: 'T', round: 1, amount: 101, miner: 'gw', shares: [{ to: 'b0', score: 500_000 }, { to: 'b3', score: 1_000_000 }], reason: 'round 1' })]);
  assert.equal(l.balance('b0'), 946);
  assert.equal(l.balance('b3'), 945);
  assert.equal(l.balance('gw'), 10);
  assert.equal(l.task('T')?.pool, 899);
  // a round whose updates all scored 0: the miner's fee is paid, the trainers' part stays in the pool
  await add(l, [payoutTx(gw, { task: 'T', round: 2, amount: 10, miner: 'gw', shares: [{ to: 'b0', score: 0 }], reason: 'round 2' })]);
  assert.equal(l.balance('gw'), 11);
  assert.equal(l.balance('b0'), 946);
  assert.equal(l.task('T')?.pool, 898);
  // b3's results did not verify: its whole stake is forfeited to the pool; b0's comes back
  await add(l, [slashTx(gw, { task: 'T', who: 'b3', amount: 100, reason: 'rejected by the committee' }), refundTx(gw, { task: 'T', who: 'b0', reason: 'verified' })]);
  assert.equal(l.bid('T', 'b3')?.status, 'forfeited');
  assert.equal(l.balance('b0'), 1_046);
  assert.equal(l.task('T')?.pool, 998);
  await assert.rejects(add(l, [refundTx(gw, { task: 'T', who: 'b0', reason: 'again' })]), reason('duplicate'));
  await assert.rejects(add(l, [refundTx(gw, { task: 'T', who: 'b3', reason: 'after slash' })]), reason('duplicate'));
  await add(l, [taskCloseTx(gw, { task: 'T' })]);
  assert.equal(l.balance('pub'), 9_998);
  assert.equal(l.task('T')?.pool, 0);
  const s = l.supply();
  assert.deepEqual([s.balances, s.escrow, s.pools], [SUPPLY, 0, 0]);
  await assert.rejects(add(l, [rewardTx(gw, { task: 'T', to: 'b0', amount: 0, round: 9, reason: '' })]), reason('task_closed'));
}));

test('a task cannot close while a winner\'s stake is still escrowed', () => withLedger(async (l) => {
  await publishAndBid(l);
  await add(l, [selectTx(gw, { task: 'T', winners: ['b0', 'b3'] }), refundTx(gw, { task: 'T', who: 'b0', reason: '' })]);
  await assert.rejects(add(l, [taskCloseTx(gw, { task: 'T' })]), reason('task_closed'));
  assert.equal(l.supply().escrow, 100);
}));

test('bad input: overdraft', () => withLedger(async (l) => {
  await assert.rejects(add(l, [taskPublishTx(pub, taskBody({ pool: 10_001 }))]), reason('insufficient_funds'));
  await add(l, [taskPublishTx(pub, taskBody())]);
  await assert.rejects(add(l, [bid(b0, 10, 50, 600, 1_001)]), reason('insufficient_funds'));
  await add(l, [bid(b0, 10, 50, 600), selectTx(gw, { task: 'T', winners: ['b0'] })]);
  await assert.rejects(add(l, [payoutTx(gw, { task: 'T', round: 1, amount: 1_001, miner: 'gw', shares: [{ to: 'b0', score: 1 }], reason: '' })]), reason('insufficient_funds'));
  await assert.rejects(add(l, [rewardTx(gw, { task: 'T', to: 'b0', amount: 1_001, round: 1, reason: '' })]), reason('insufficient_funds'));
  await assert.rejects(add(l, [slashTx(gw, { task: 'T', who: 'b0', amount: 101, reason: '' })]), reason('insufficient_funds'));
  await assert.rejects(add(l, [penaltyTx(gw, { who: 'b1', amount: 1_001, reason: '' })]), reason('insufficient_funds'));
}));

test('bad input: a bid without a deposit (none, or below the task\'s)', () => withLedger(async (l) => {
  await add(l, [taskPublishTx(pub, taskBody())]);
  await assert.rejects(add(l, [bid(b0, 10, 50, 600, 0)]), reason('no_deposit'));
  await assert.rejects(add(l, [bid(b0, 10, 50, 600, 99)]), reason('no_deposit'));
  await assert.rejects(add(l, [taskPublishTx(pub, taskBody({ task: 'U', deposit: 0, ctr: 2 }))]), reason('no_deposit'));
  assert.equal(l.balance('b0'), 1_000);
}));

test('bad input: a bid after selection', () => withLedger(async (l) => {
  await publishAndBid(l);
  await add(l, [selectTx(gw, { task: 'T', winners: ['b0', 'b3'] })]);
  await assert.rejects(add(l, [bidTx(pub, { task: 'T', price: 1, capability: 100, size: 600, stake: 100, ctr: 2 })]), reason('task_closed'));
  await assert.rejects(add(l, [selectTx(gw, { task: 'T', winners: ['b0', 'b3'] })]), reason('task_closed'));
}));

test('bad input: a reward, payout or bid for an unknown task', () => withLedger(async (l) => {
  await assert.rejects(add(l, [rewardTx(gw, { task: 'nope', to: 'b0', amount: 1, round: 1, reason: '' })]), reason('not_found'));
  await assert.rejects(add(l, [payoutTx(gw, { task: 'nope', round: 1, amount: 1, miner: 'gw', shares: [], reason: '' })]), reason('not_found'));
  await assert.rejects(add(l, [bidTx(b0, { task: 'nope', price: 1, capability: 1, size: 600, stake: 100, ctr: 1 })]), reason('not_found'));
  await assert.rejects(add(l, [selectTx(gw, { task: 'nope', winners: [] })]), reason('not_found'));
}));

test('bad input: split ratios that do not sum to the whole', () => withLedger(async (l) => {
  await assert.rejects(add(l, [taskPublishTx(pub, taskBody({ split: { trainers: 900_000, miner: 200_000 } }))]), reason('bad_split'));
  await assert.rejects(add(l, [taskPublishTx(pub, taskBody({ split: { trainers: 999_999, miner: 0 } }))]), reason('bad_split'));
  await assert.rejects(add(l, [taskPublishTx(pub, taskBody({ split: { trainers: 0, miner: 0 } }))]), reason('bad_split'));
  await add(l, [taskPublishTx(pub, taskBody({ split: { trainers: 1_000_000, miner: 0 } }))]);
}));

test('bad input: negative amounts, built locally or arriving as bytes', () => {
  assert.throws(() => rewardTx(gw, { task: 'T', to: 'b0', amount: -5, round: 1, reason: '' }), reason('negative_amount'));
  assert.throws(() => bidTx(b0, { task: 'T', price: 10, capability: 1, size: 1, stake: -100, ctr: 1 }), reason('negative_amount'));
  assert.throws(() => taskPublishTx(pub, taskBody({ pool: -1 })), reason('negative_amount'));
  assert.throws(() => taskPublishTx(pub, taskBody({ split: { trainers: 1_100_000, miner: -100_000 } })), reason('negative_amount'));
  assert.throws(() => payoutTx(gw, { task: 'T', round: 1, amount: -1, miner: 'gw', shares: [], reason: '' }), reason('negative_amount'));
  const body = new Map<string, unknown>([['task', 'T'], ['to', 'b0'], ['amount', -5], ['round', 1], ['reason', '']]);
  const bytes = encodeCanonical([1, 'reward', 'gw', body as any, new Uint8Array(64)]);
  assert.throws(() => decodeAnyTx(bytes), reason('negative_amount'));
});

test('bad input: paying a round or a recipient twice', () => withLedger(async (l) => {
  await publishAndBid(l);
  await add(l, [selectTx(gw, { task: 'T', winners: ['b0', 'b3'] })]);
  const p = (round: number, reason: string) => payoutTx(gw, { task: 'T', round, amount: 10, miner: 'gw', shares: [{ to: 'b0', score: 1 }], reason });
  await add(l, [p(1, 'a')]);
  await assert.rejects(add(l, [p(1, 'b')]), reason('duplicate'));
  await assert.rejects(add(l, [rewardTx(gw, { task: 'T', to: 'b0', amount: 1, round: 1, reason: 'extra' })]), reason('duplicate'));
  await assert.rejects(add(l, [payoutTx(gw, { task: 'T', round: 2, amount: 10, miner: 'gw', shares: [{ to: 'b1', score: 1 }], reason: '' })]), reason('not_authorized'));
  assert.throws(() => payoutTx(gw, { task: 'T', round: 2, amount: 10, miner: 'gw', shares: [{ to: 'b3', score: 1 }, { to: 'b0', score: 1 }], reason: '' }), reason('malformed'));
}));

test('a burn lowers the recorded supply with the balance', () => withLedger(async (l) => {
  await l.append(gw, [penaltyTx(gw, { who: 'b1', amount: 7, reason: 'burned' })], {}, time++);
  const s = l.supply();
  assert.equal(s.ok, true);
  assert.equal(s.supply, SUPPLY - 7);
  assert.equal(l.balance('b1'), 993);
}));

test('`ledger balances` and `ledger verify` on a ledger on disk show the books', async () => {
  const { tempDir } = await import('./ledger-helpers.js');
  const { execFileSync } = await import('node:child_process');
  const t = tempDir('economy');
  try {
    const l = await Ledger.open(t.dir, { genesis: genesis([gw], {}, START), envelopes: 'off' });
    await add(l, [pub, b0, b1, b2, b3].map((b) => registrationTx(gw, { id: b.id, publicKey: b.publicKey, profile })));
    await publishAndBid(l);
    await l.close();
    const cli = new URL('../gateway/audit/cli.js', import.meta.url).pathname;
    const j = JSON.parse(execFileSync(process.execPath, [cli, 'balances', t.dir], { encoding: 'utf8' }));
    assert.deepEqual([j.ok, j.supply, j.byAccount.pub, j.byAccount.b0, j.escrow, j.pools, j.byTask.T], [true, SUPPLY, 9_000, 900, 400, 1_000, 1_000]);
    assert.deepEqual(j.stakes['T/b3'], { stake: 100, status: 'bid' });
    const v = JSON.parse(execFileSync(process.execPath, [cli, 'verify', t.dir], { encoding: 'utf8' }));
    assert.equal(v.ok, true);
  } finally { t.cleanup(); }
});

// Seed 003 reputation and Eq. 3 payout, seed 002 permission fee, on the ledger: the standing
// formulas (T = b − α·d, W decay, Z = T + W, the bar), Eq. 3's exact split, the contribution
// rule (pays φ and Z shares and both fees, bars and blacklists), the fee rule, each bad input
// refused with its reason, and the supply invariant after every block.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Ledger, registrationTx, taskPublishTx, bidTx, selectTx, contributionTx, permissionFeeTx,
  incentiveParts, nextStanding, freshStanding, reputationZ, pointsT, getStanding,
  type Tx, type TaskPublishBody, type ReputationParams, type IncentiveRecord, type ContributionBody,
} from '../gateway/ledger/index.js';
import { signer, genesis, profile, reason, appendChecked } from './ledger-helpers.js';

const gw = signer('gw', 1), cc = signer('cc', 2), pub = signer('pub', 20);
const bs = [0, 1, 2].map((i) => signer(`b${i}`, 10 + i));
const START = { pub: 10_000, b0: 1_000, b1: 1_000, b2: 1_000 };
const SUPPLY = 13_000;
const REP: ReputationParams = { b: 10, d: 10, alpha: 2_000_000, w0: 40, decay: 500_000, threshold: 15 };
const INC: IncentiveRecord = { split: { providers: 600_000, reputation: 200_000, aggregator: 150_000, center: 50_000 }, rep: REP, method: 'exact', budget: 64 };

test('standing: T = b − ⌊α·d⌋, W halves each round (floored), Z = T + W, barred below the threshold', () => {
  let s = freshStanding(REP);
  assert.equal(reputationZ(REP, s), 40);
  s = nextStanding(REP, s, 'accepted');                  // b 10, W 20 → Z 30
  assert.deepEqual(s, { b: 10, d: 0, t: 1, w: 20, barred: false });
  s = nextStanding(REP, s, 'rejected');                  // d 10 → T = 10 − 20 = −10, W 10 → Z 0 < 15
  assert.equal(pointsT(REP, s), -10);
  assert.equal(reputationZ(REP, s), 0);
  assert.equal(s.barred, true);
  assert.equal(nextStanding(REP, s, 'accepted').barred, true, 'a bar is permanent');
  assert.equal(nextStanding({ ...REP, w0: 7, decay: 999_999 }, { ...freshStanding({ ...REP, w0: 7 }) }, 'accepted').w, 6, 'W floors: ⌊7 · 0.999999⌋ = 6');
});

test('Eq. 3 parts: fees by the contract, φ and Z shares by largest remainder, Σ = amount', () => {
  const p = incentiveParts(1_001, INC.split, [30, -5, 10], [50, 20, 30]);
  // 1001 at 60/20/15/5 % → 600.6 | 200.2 | 150.15 | 50.05 → 600 | 200 | 150 | 50, leftover 1 to the largest remainder (providers)
  assert.equal(p.aggregator, 150); assert.equal(p.center, 50);
  assert.deepEqual(p.providers, [451, 0, 150]);          // 601 by 30 : 0 : 10 (φ ≤ 0 earns nothing)
  assert.deepEqual(p.reputation, [100, 40, 60]);         // 200 by 50 : 20 : 30
  assert.equal(p.providers.reduce((a, b) => a + b, 0) + p.reputation.reduce((a, b) => a + b, 0) + p.aggregator + p.center + p.unpaid, 1_001);
  const none = incentiveParts(100, INC.split, [0, -1], [0, 0]);
  assert.equal(none.unpaid, 80, 'no positive φ or Z: those parts stay in the pool');
  assert.throws(() => incentiveParts(10, { providers: 1, reputation: 0, aggregator: 0, center: 0 }, [1], [1]), reason('bad_split'));
});

let time = 2_000;
/** Appends and then checks the invariant over the whole state, at every height. */
const add = (l: Ledger, txs: Tx[]): Promise<void> => appendChecked(l, gw, txs, SUPPLY, time++);
const task = (o: Partial<TaskPublishBody> = {}): TaskPublishBody =>
  ({ task: 'T', pool: 1_000, deposit: 100, slots: 3, minSize: 1, rounds: 3, split: { trainers: 900_000, miner: 100_000 }, ctr: 1, incentive: INC, ...o });
const contrib = (o: Partial<ContributionBody> = {}): ContributionBody =>
  ({ task: 'T', round: 1, amount: 100, aggregator: 'gw', center: 'cc', method: 'exact', evaluations: 8, phi: [{ to: 'b0', phi: 300 }, { to: 'b1', phi: 100 }], rejected: ['b2'], ...o });

async function withTask(fn: (l: Ledger) => Promise<void>, o: Partial<TaskPublishBody> = {}) {
  const l = await Ledger.openMemory({ genesis: genesis([gw, cc], {}, START), envelopes: 'off' });
  try {
    await add(l, [pub, ...bs].map((b) => registrationTx(gw, { id: b.id, publicKey: b.publicKey, profile })));
    await add(l, [taskPublishTx(pub, task(o))]);
    await fn(l);
    assert.equal((await l.verify()).ok, true);
  } finally { await l.close(); }
}
const bidAll = (l: Ledger, ctr = 1) => add(l, bs.map((b) => bidTx(b, { task: 'T', price: 10, capability: 10, size: 100, stake: 100, ctr })));

test('contribution: Eq. 3 pays φ and Z shares and both fees, updates standings, bars and blacklists', () => withTask(async (l) => {
  await bidAll(l);
  await add(l, [selectTx(gw, { task: 'T', winners: ['b0', 'b1', 'b2'] })]);
  await add(l, [contributionTx(gw, contrib())]);
  // 100 → providers 60 (300 : 100 → 45 | 15), reputation 20 (Z 30 : 30 → 10 | 10), aggregator 15, center 5
  assert.equal(l.balance('b0'), 900 + 45 + 10);
  assert.equal(l.balance('b1'), 900 + 15 + 10);
  assert.equal(l.balance('b2'), 900, 'rejected this round: no share');
  assert.equal(l.balance('gw'), 15); assert.equal(l.balance('cc'), 5);
  assert.equal(l.task('T')?.pool, 900);
  assert.deepEqual(getStanding(l.stateView, 'T', 'b2'), { b: 0, d: 10, t: 1, w: 20, barred: true });   // T −20 + W 20 = 0 < 15
  assert.equal(l.deviceRecord('b2')?.status, 'blacklisted', 'barred by reputation: its key is invalid');
  assert.equal(l.device('b2'), undefined);
  await assert.rejects(add(l, [contributionTx(gw, contrib())]), reason('duplicate'));               // round paid twice
  await assert.rejects(add(l, [contributionTx(gw, contrib({ round: 2, rejected: [], phi: [{ to: 'b2', phi: 1 }] }))]), reason('not_authorized'));  // barred
  await assert.rejects(add(l, [contributionTx(gw, contrib({ round: 2, rejected: [], phi: [{ to: 'pub', phi: 1 }] }))]), reason('not_authorized'));  // not a winner
  await assert.rejects(add(l, [contributionTx(gw, contrib({ round: 2, amount: 901 }))]), reason('insufficient_funds'));
  await assert.rejects(add(l, [contributionTx(gw, contrib({ task: 'nope' }))]), reason('not_found'));
  await assert.rejects(add(l, [contributionTx(gw, contrib({ round: 2, center: 'nobody' }))]), reason('unknown_author'));
  await assert.rejects(add(l, [contributionTx(bs[0]!, contrib({ round: 2 }))]), reason('not_authorized'));   // a device is no computing center
  assert.throws(() => contributionTx(gw, contrib({ amount: -1 })), reason('negative_amount'));
  assert.throws(() => contributionTx(gw, contrib({ phi: [{ to: 'b1', phi: 1 }, { to: 'b0', phi: 1 }] })), reason('malformed'));
}));

test('contribution and payout are refused where they do not belong', () => withTask(async (l) => {
  await bidAll(l);
  await assert.rejects(add(l, [contributionTx(gw, contrib())]), reason('task_closed'));   // not selected yet
}, {}));

test('bad input: a 003 contract whose ratios do not sum to the whole, or with bad reputation parameters', async () => {
  const l = await Ledger.openMemory({ genesis: genesis([gw], {}, START), envelopes: 'off' });
  try {
    await add(l, [registrationTx(gw, { id: pub.id, publicKey: pub.publicKey, profile })]);
    await assert.rejects(add(l, [taskPublishTx(pub, task({ incentive: { ...INC, split: { ...INC.split, center: 60_000 } } }))]), reason('bad_split'));
    await assert.rejects(add(l, [taskPublishTx(pub, task({ incentive: { ...INC, rep: { ...REP, decay: 1_000_000 } } }))]), reason('malformed'));
    assert.throws(() => taskPublishTx(pub, task({ incentive: { ...INC, method: 'guess' } })), reason('malformed'));
    assert.throws(() => taskPublishTx(pub, task({ fee: -3 })), reason('negative_amount'));
  } finally { await l.close(); }
});

test('002 permission fee: paid once into the pool; bids need it; wrong amounts refused', () => withTask(async (l) => {
  await assert.rejects(add(l, [bidTx(bs[0]!, { task: 'T', price: 1, capability: 1, size: 100, stake: 100, ctr: 1 })]), reason('no_permit'));
  await assert.rejects(add(l, [permissionFeeTx(bs[0]!, { task: 'T', amount: 49, ctr: 1 })]), reason('insufficient_funds'));
  await add(l, [permissionFeeTx(bs[0]!, { task: 'T', amount: 50, ctr: 1 })]);
  assert.equal(l.balance('b0'), 950);
  assert.equal(l.task('T')?.pool, 1_050);
  await assert.rejects(add(l, [permissionFeeTx(bs[0]!, { task: 'T', amount: 50, ctr: 2 })]), reason('duplicate'));
  await assert.rejects(add(l, [permissionFeeTx(bs[1]!, { task: 'nope', amount: 50, ctr: 1 })]), reason('not_found'));
  await add(l, [bidTx(bs[0]!, { task: 'T', price: 1, capability: 1, size: 100, stake: 100, ctr: 2 })]);
  assert.equal(l.bid('T', 'b0')?.status, 'bid');
}, { fee: 50 }));

// A round's payout wired through the round machine (gateway/round/reward.ts → content.ts): a
// published, selected task pays each round's block from its pool, winners only, by data size
// × score, the fee to the aggregator; a follower recomputes the same block; the books balance.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { step, initialState, checkProposal, type RoundConfig, type RoundState, type RoundEffect, type RoundEvent } from '../gateway/round/machine.js';
import { contentTxs } from '../gateway/round/content.js';
import { chainReward, payoutOf } from '../gateway/round/reward.js';
import { fedavgEngine } from '../gateway/consensus/accept-all.js';
import { aggregator } from '../gateway/aggregate/index.js';
import { Ledger, nodeSigner, registrationTx, taskPublishTx, bidTx, selectTx } from '../gateway/ledger/index.js';
import { publicKeyObject, signSign1 } from '../protocol/cose.js';
import { encodeUpdate } from '../protocol/update.js';
import { decodeModel, encodeModel } from '../protocol/model-blob.js';
import { sha256 } from '../protocol/bytes.js';
import { deviceId } from '../protocol/ids.js';
import { ed25519FromSeed, demoSeed } from '../protocol/keys.js';
import { rigModel } from './support/round-rig.js';

const TASK = 't';
const devs = Array.from({ length: 3 }, (_, i) => ({ id: deviceId(i), seed: demoSeed(deviceId(i), 9) })).map((d) => ({ ...d, key: ed25519FromSeed(d.seed), signer: nodeSigner(d.id, d.seed) }));
const gw = nodeSigner('gw-0', demoSeed('gateway', 9));
const model = rigModel();

// ctr = round + 1: a device's bid (ctr 1) and its updates share one message counter (issue 5 §6)
function upd(i: number, round: number, base: Uint8Array): Uint8Array {
  const m = decodeModel(base);
  const p = m.params.map((v, j) => (j % 5 === i ? v + (i + 1) : v));
  return signSign1(new TextEncoder().encode(devs[i].id), encodeUpdate({ task: TASK, round, base: sha256(base), n: 10 + i, model: encodeModel(m.header, p), ctr: round + 1, metrics: {} }), devs[i].key.privateKey);
}
function run(c: RoundConfig, s: RoundState, events: RoundEvent[]): { s: RoundState; fx: RoundEffect[] } {
  const fx: RoundEffect[] = [];
  for (const e of events) { const r = step(c, s, e); s = r.state; fx.push(...r.effects); }
  return { s, fx };
}

test('a round of a selected task pays its winners by data size and the aggregator its fee', async () => {
  const balances = Object.fromEntries([['gw-0', 1_000], ...devs.map((d) => [d.id, 100])]);
  const ledger = await Ledger.openMemory({ genesis: { chainId: 'm', managers: [{ id: gw.id, publicKey: gw.publicKey }], params: { task: TASK }, timestamp: 0, balances }, envelopes: 'off' });
  try {
    await ledger.append(gw, devs.map((d) => registrationTx(gw, { id: d.id, publicKey: d.key.publicRaw, profile: { categories: ['x'], types: ['y'], size: 1 } })), { round: 0 }, 0);
    await ledger.append(gw, [taskPublishTx(gw, { task: 'T', pool: 500, deposit: 10, slots: 2, minSize: 0, rounds: 2, split: { trainers: 800_000, miner: 200_000 }, ctr: 1 })], {}, 1);
    // dev 0 and dev 1 offer capability 10 at cost 1, dev 2 capability 1 at cost 10: it loses
    const sizes = [100, 300, 900];
    await ledger.append(gw, devs.map((d, i) => bidTx(d.signer, { task: 'T', price: i === 2 ? 10 : 1, capability: i === 2 ? 1 : 10, size: sizes[i], stake: 10, ctr: 1 })), {}, 2);
    await ledger.append(gw, [selectTx(gw, { task: 'T', winners: [devs[0].id, devs[1].id] })], {}, 3);
    const c: RoundConfig = {
      task: TASK, chain: new Uint8Array(32), gateway: 'gw-0', engine: fedavgEngine, ctx: { keyOf: () => undefined, rule: aggregator('fedavg') }, rounds: 2, deadlineMs: 1000,
      devices: devs.map((d) => d.id), registry: { device: (id) => { const d = ledger.device(id); return d && { key: publicKeyObject(d.publicKey), counter: d.counter }; } },
      reward: chainReward(ledger, { task: 'T', perRound: 100, aggregator: 'gw-0' }),
    };
    const head = { height: ledger.height, hash: ledger.headHash(), time: 3, cert: [] };
    const events: RoundEvent[] = [{ type: 'open', now: 10 }, ...devs.map((_, i): RoundEvent => ({ type: 'update', device: devs[i].id, bytes: upd(i, 1, model), now: 11 + i }))];
    let { s, fx } = run(c, initialState({ head, model }), events);
    assert.deepEqual(s.rejected, []);
    if (s.phase === 'collecting') ({ s, fx } = run(c, s, [{ type: 'deadline', round: 1, now: 1010 }]));
    const closed = fx.find((e) => e.type === 'closed') as Extract<RoundEffect, { type: 'closed' }>;
    ({ s, fx } = run(c, s, [{ type: 'evidence', round: 1, evidence: null, input: closed.input, now: 20 }]));
    const p = fx.find((e) => e.type === 'propose') as Extract<RoundEffect, { type: 'propose' }>;
    assert.equal(p.decision.accepted.length, 3, 'FedAvg accepts all three');
    assert.deepEqual(p.content.payout?.shares.map((x) => x.to), [devs[0].id, devs[1].id], 'the loser of the selection gets no share');
    // a follower admitting the same updates over the same head (before the block is applied)
    let follower = run(c, initialState({ head, model }), events).s;
    if (follower.phase === 'collecting') follower = run(c, follower, [{ type: 'deadline', round: 1, now: 1010 }]).s;
    const block = await ledger.append(gw, contentTxs(p.content, gw), p.content.cons, 21);
    // 100 → trainers 80, fee 20; FedAvg does not score, so data size splits: 100 : 300 → 20 | 60
    assert.equal(ledger.balance(devs[0].id), 90 + 20);
    assert.equal(ledger.balance(devs[1].id), 90 + 60);
    assert.equal(ledger.balance(devs[2].id), 100, 'loser refunded, unpaid');
    assert.equal(ledger.balance('gw-0'), 500 + 20);
    assert.equal(ledger.task('T')?.pool, 400);
    assert.equal(ledger.supply().ok, true);
    // the follower recomputes the same block, payout included (its ledger reads now see the
    // pool after the payout, 400, still ≥ the 100 per round, so the amount is the same)
    const ok = checkProposal(c, follower, { pool: p.input.candidates.map((x) => x.updateHash), committee: [], evidence: null, block });
    assert.ok(ok.ok, ok.ok ? '' : ok.detail);
    const other = { ...c, reward: chainReward(ledger, { task: 'T', perRound: 99, aggregator: 'gw-0' }) };
    const no = checkProposal(other, follower, { pool: p.input.candidates.map((x) => x.updateHash), committee: [], evidence: null, block });
    assert.ok(!no.ok && no.reason === 'content_mismatch', 'a follower paying another amount refuses the block');
    assert.equal((await ledger.verify()).ok, true);
  } finally { await ledger.close(); }
});

test('payoutOf: scores clamp to ppm, nothing is paid from an empty pool, the leader takes the fee', () => {
  const r = { task: 'T', perRound: 50, aggregator: 'agg', pool: () => 30, eligible: (id: string) => id !== 'c' };
  const d = { accepted: ['b', 'a', 'c'], scores: new Map([['a', 2_000_000], ['b', -5], ['c', 7]]), params: undefined, nextCommittee: [], leader: 'L' };
  assert.deepEqual(payoutOf(r, 4, d), { task: 'T', round: 4, amount: 30, miner: 'L', shares: [{ to: 'a', score: 1_000_000 }, { to: 'b', score: 0 }], reason: 'round 4' });
  assert.equal(payoutOf({ ...r, pool: () => 0 }, 4, d), undefined);
  assert.equal(payoutOf(r, 4, { ...d, leader: undefined })?.miner, 'agg');
});

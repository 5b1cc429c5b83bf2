// Pure rules of every transaction type, replay/identity rules and bad input, over real ledgers in temp dirs.
import { MAX_TX_BYTES } from '../gateway/ledger/tx/envelope.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sha256 } from '@noble/hashes/sha2.js';
import {
  Ledger, LedgerError, registrationTx, updateRecordTx, globalModelTx, dataRequestTx, dataEventTx, modelTx, taskPublishTx,
  bidTx, rewardTx, penaltyTx, slashTx, reputationTx, blacklistTx, decodeAnyTx, decodeBlock, encodeBlock, type Tx,
} from '../gateway/ledger/index.js';
import { tempDir, signer, genesis, profile, reason } from './ledger-helpers.js';

const gw = signer('gw', 1);
const other = signer('gw2', 2);
const b0 = signer('b0', 10);
const b1 = signer('b1', 11);
const ZERO = new Uint8Array(32);

async function withLedger(fn: (l: Ledger) => Promise<void>, params: Record<string, number | string> = {}) {
  const t = tempDir();
  const l = await Ledger.open(t.dir, { genesis: genesis([gw], params, { b0: 1000, gw: 5000 }), envelopes: 'off' });
  try {
    await l.append(gw, [b0, b1].map((b) => registrationTx(gw, { id: b.id, publicKey: b.publicKey, profile })), {}, 1_500);
    await fn(l);
    const v = await l.verify();
    assert.equal(v.ok, true, v.error);
  } finally { await l.close(); t.cleanup(); }
}

let time = 2_000;
const add = (l: Ledger, txs: Tx[], by = gw) => l.append(by, txs, {}, time++);
const upd = (dev: string, round: number, ctr: number, tag = '') => updateRecordTx(gw, {
  task: 't', round, deviceId: dev, envelopeHash: sha256(new TextEncoder().encode(`e${dev}${ctr}${tag}`)), updateHash: sha256(new TextEncoder().encode(`u${dev}${ctr}${tag}`)), n: 5, score: 1, ctr,
});

test('registration is manager-only and ids are never reused', () => withLedger(async (l) => {
  const b2 = signer('b2', 12);
  await assert.rejects(add(l, [registrationTx(b0, { id: 'b2', publicKey: b2.publicKey, profile })], gw), reason('not_authorized'));
  await assert.rejects(add(l, [registrationTx(gw, { id: 'b0', publicKey: b2.publicKey, profile })]), reason('duplicate'));
  await assert.rejects(add(l, [registrationTx(other, { id: 'b2', publicKey: b2.publicKey, profile })]), reason('unknown_author'));
  assert.equal(l.height, 1);
}));

test('update records: counters rise, stale rounds and duplicates are refused, models consume them', () => withLedger(async (l) => {
  const u1 = upd('b0', 1, 1), u2 = upd('b1', 1, 1);
  await add(l, [u1, u2]);
  await assert.rejects(add(l, [upd('b0', 1, 1, 'x')]), reason('replay'));
  await assert.rejects(add(l, [upd('ghost', 1, 1)]), reason('unknown_author'));
  await assert.rejects(add(l, [globalModelTx(gw, { task: 't', round: 1, modelHash: ZERO, updates: [u1.body.envelopeHash, u1.body.envelopeHash] })]), reason('duplicate'));
  await assert.rejects(add(l, [globalModelTx(gw, { task: 't', round: 1, modelHash: ZERO, updates: [sha256(Uint8Array.of(1))] })]), reason('not_found'));
  await add(l, [globalModelTx(gw, { task: 't', round: 1, modelHash: ZERO, updates: [u1.body.envelopeHash, u2.body.envelopeHash] })]);
  assert.equal(l.model('t')?.round, 1);
  await assert.rejects(add(l, [globalModelTx(gw, { task: 't', round: 1, modelHash: ZERO, updates: [] })]), reason('stale_round'));
  await assert.rejects(add(l, [upd('b0', 0, 2)]), reason('stale_round'));
  // one failing tx rejects the whole block: the valid first one is not written either
  await assert.rejects(add(l, [upd('b1', 2, 2), upd('b0', 2, 1)]), reason('replay'));
  assert.equal(l.device('b1')?.counter, 1);
}));

test('blacklisted and revoked devices are rejected as authors and as uploaders', () => withLedger(async (l) => {
  await add(l, [blacklistTx(gw, { target: 'b0', status: 'blacklisted', reason: 'poisoning' }), blacklistTx(gw, { target: 'b1', status: 'revoked', reason: 'key lost' })]);
  assert.equal(l.device('b0'), undefined);
  assert.equal(l.deviceRecord('b0')?.status, 'blacklisted');
  await assert.rejects(add(l, [upd('b0', 1, 1)]), reason('blacklisted'));
  await assert.rejects(add(l, [dataRequestTx(b1, { categories: ['x'], timestamp: 1, ctr: 1 })]), reason('revoked'));
  await assert.rejects(add(l, [blacklistTx(gw, { target: 'b0', status: 'revoked', reason: '' })]), reason('duplicate'));
}));

test('data-sharing request and the event that serves it (once)', () => withLedger(async (l) => {
  const req = dataRequestTx(b0, { categories: ['mnist'], timestamp: 1_000, ctr: 1 });
  await add(l, [req]);
  await assert.rejects(add(l, [req]), reason('replay'));
  await assert.rejects(add(l, [dataRequestTx(b0, { categories: ['mnist'], timestamp: 10 ** 12, ctr: 2 })]), reason('bad_time'));
  const ev = dataEventTx(gw, { request: req.hash, providers: ['b1'], modelHash: ZERO, timestamp: 1_000 });
  await add(l, [ev]);
  await assert.rejects(add(l, [dataEventTx(gw, { request: req.hash, providers: ['b1'], modelHash: sha256(ZERO), timestamp: 1_000 })]), reason('not_found'));
}));

test('model transactions (001 Table I) chain by hash pointer to what the owner received', () => withLedger(async (l) => {
  const m1 = modelTx(b0, { prev: ZERO, receiver: 'b1', modelHash: sha256(Uint8Array.of(1)), mae: 12_000, timestamp: 1_000 });
  await add(l, [m1]);
  await assert.rejects(add(l, [m1]), reason('duplicate'));
  await assert.rejects(add(l, [modelTx(b0, { prev: m1.hash, receiver: 'gw', modelHash: ZERO, mae: 1, timestamp: 1_000 })]), reason('not_authorized'));
  await add(l, [modelTx(b1, { prev: m1.hash, receiver: 'gw', modelHash: ZERO, mae: 1, timestamp: 1_000 })]);
  await assert.rejects(add(l, [modelTx(b1, { prev: sha256(ZERO), receiver: 'gw', modelHash: ZERO, mae: 1, timestamp: 1_000 })]), reason('not_found'));
}));

const task = (t: string, pool: number, ctr: number, o: Partial<{ deposit: number; slots: number; minSize: number; trainers: number; miner: number }> = {}) =>
  ({ task: t, pool, deposit: o.deposit ?? 50, slots: o.slots ?? 1, minSize: o.minSize ?? 0, rounds: 3, split: { trainers: o.trainers ?? 900_000, miner: o.miner ?? 100_000 }, ctr });

test('task deposit, bids with stakes, rewards, penalties, slashing and reputation keep the books', () => withLedger(async (l) => {
  await assert.rejects(add(l, [taskPublishTx(b1, task('T', 1, 1))]), reason('insufficient_funds'));
  await add(l, [taskPublishTx(gw, task('T', 300, 1))]);
  assert.equal(l.balance('gw'), 4700);
  await add(l, [bidTx(b0, { task: 'T', price: 10, capability: 5, size: 600, stake: 100, ctr: 1 })]);
  await assert.rejects(add(l, [bidTx(b0, { task: 'T', price: 9, capability: 5, size: 600, stake: 60, ctr: 2 })]), reason('duplicate'));
  assert.equal(l.balance('b0'), 900);
  const rw = rewardTx(gw, { task: 'T', to: 'b0', amount: 50, round: 1, reason: 'round 1' });
  await add(l, [rw]);
  await assert.rejects(add(l, [rw]), reason('replay'));
  await assert.rejects(add(l, [rewardTx(gw, { task: 'T', to: 'b0', amount: 1000, round: 2, reason: '' })]), reason('insufficient_funds'));
  await assert.rejects(add(l, [rewardTx(b0, { task: 'T', to: 'b0', amount: 1, round: 2, reason: '' })]), reason('not_authorized'));
  await add(l, [slashTx(gw, { task: 'T', who: 'b0', amount: 40, reason: 'bad update' }), penaltyTx(gw, { who: 'b0', amount: 20, reason: 'late', task: 'T' }), reputationTx(gw, { who: 'b0', delta: -5, reason: 'slashed' })]);
  assert.equal(l.balance('b0'), 930);
  assert.equal(l.task('T')?.pool, 300 - 50 + 40 + 20);
  assert.equal(l.reputation('b0'), -5);
  await assert.rejects(add(l, [slashTx(gw, { task: 'T', who: 'b0', amount: 61, reason: 'x' })]), reason('insufficient_funds'));
  assert.equal(l.supply().ok, true);
}));

test('decoders: truncated, oversized, tampered, non-canonical and unknown input is refused with a reason', () => {
  const tx = registrationTx(gw, { id: 'b9', publicKey: b0.publicKey, profile });
  assert.deepEqual(decodeAnyTx(tx.bytes).hash, tx.hash);
  assert.throws(() => decodeAnyTx(tx.bytes.subarray(0, tx.bytes.length - 3)), reason('truncated'));
  assert.throws(() => decodeAnyTx(new Uint8Array(MAX_TX_BYTES + 1)), reason('too_large'));
  assert.throws(() => decodeAnyTx(Uint8Array.of(0xff, 0xff)), (e: unknown) => e instanceof LedgerError && (e.reason === 'malformed' || e.reason === 'truncated'));
  assert.throws(() => registrationTx(gw, { id: 'x'.repeat(65), publicKey: b0.publicKey, profile }), reason('malformed'));
  assert.throws(() => registrationTx(gw, { id: 'b9', publicKey: new Uint8Array(31), profile }), reason('malformed'));
  assert.throws(() => registrationTx(gw, { id: 'b9', publicKey: b0.publicKey, profile: { ...profile, categories: Array(65).fill('c') } }), reason('malformed'));
  // a 1-byte-longer integer encoding of the same value is not canonical
  const i = Buffer.from(tx.bytes).indexOf(Buffer.from([0x19, 0x02, 0x58])); // size 600 as uint16
  assert.ok(i > 0);
  const longer = new Uint8Array([...tx.bytes.subarray(0, i), 0x1a, 0, 0, 0x02, 0x58, ...tx.bytes.subarray(i + 3)]);
  assert.throws(() => decodeAnyTx(longer), reason('non_canonical'));
});

test('tampered or forged transactions and blocks are refused and never written', () => withLedger(async (l) => {
  const tx = upd('b0', 1, 1);
  const forged = decodeAnyTx(tx.bytes);
  forged.sig = new Uint8Array(tx.sig); forged.sig[5] ^= 1;
  await assert.rejects(add(l, [forged]), reason('bad_signature'));
  // a block from a non-manager proposer
  await assert.rejects(l.append(b0, [tx], {}, time++), reason('not_authorized'));
  // import a valid block into a second ledger, then tampered copies
  const t2 = tempDir();
  const l2 = await Ledger.open(t2.dir, { genesis: genesis([gw], {}, { b0: 1000, gw: 5000 }), envelopes: 'off' });
  try {
    const blk1 = await l.block(1);
    await l2.importBlock(encodeBlock(blk1));
    const good = await l.append(gw, [tx], {}, time++);
    const bytes = encodeBlock(good);
    const flipped = new Uint8Array(bytes); flipped[flipped.length - 10] ^= 1; // inside the tx signature
    await assert.rejects(l2.importBlock(flipped), (e: unknown) => e instanceof LedgerError);
    const wrongRoot = { ...decodeBlock(bytes) };
    wrongRoot.header = { ...wrongRoot.header, stateRoot: ZERO };
    await assert.rejects(l2.importBlock(wrongRoot), reason('malformed')); // carried hash no longer matches the header
    const { hash: _h, ...rest } = wrongRoot;
    const rehashed = { ...rest, hash: (await import('../gateway/ledger/index.js')).headerHash(wrongRoot.header) };
    await assert.rejects(l2.importBlock(rehashed), reason('bad_signature')); // new hash: the proposer never signed it
    await assert.rejects(l2.importBlock({ ...decodeBlock(bytes), txs: [] }), reason('bad_tx_root'));
    const outOfOrder = await l.append(gw, [upd('b1', 1, 1)], {}, time++);
    await assert.rejects(l2.importBlock(outOfOrder), reason('bad_height'));
    assert.equal(l2.height, 1);
    await l2.importBlock(bytes);
    await l2.importBlock(outOfOrder);
    assert.deepEqual(l2.stateRoot(), l.stateRoot());
    assert.equal((await l2.verify()).ok, true);
  } finally { await l2.close(); t2.cleanup(); }
}));

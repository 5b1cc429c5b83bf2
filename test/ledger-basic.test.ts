import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sha256 } from '@noble/hashes/sha2.js';
import { Ledger, registrationTx, updateRecordTx, globalModelTx, LedgerError } from '../gateway/ledger/index.js';
import { tempDir, signer, genesis, envelope, profile } from './ledger-helpers.js';

const gw = signer('gw', 1);
const boards = [signer('b0', 10), signer('b1', 11), signer('b2', 12)];

async function demoRound(l: Ledger, round: number, ctr: number) {
  const txs = [];
  const hashes = [];
  for (const [i, b] of boards.entries()) {
    const e = envelope(b.id, 10 + i, { task: 'mnist', round, ctr, n: 100, model: Uint8Array.of(round, i) });
    await l.putBlob(e.bytes);
    txs.push(updateRecordTx(gw, { task: 'mnist', round, deviceId: b.id, envelopeHash: e.envelopeHash, updateHash: e.updateHash, n: 100, score: 0, ctr }));
    hashes.push(e.envelopeHash);
  }
  const model = Uint8Array.of(0xee, round);
  const modelHash = await l.putBlob(model);
  txs.push(globalModelTx(gw, { task: 'mnist', round, modelHash, updates: hashes, accuracy: 900_000 + round }));
  return l.append(gw, txs, { engine: 'fedavg', round }, 2_000 + round);
}

test('demo flow: genesis, registration block, one block per round; reopen and verify', async () => {
  const t = tempDir();
  try {
    let l = await Ledger.open(t.dir, { genesis: genesis([gw]) });
    assert.equal(l.height, 0);
    await l.append(gw, boards.map((b) => registrationTx(gw, { id: b.id, publicKey: b.publicKey, profile })), { round: 0 }, 1_500);
    assert.equal(l.height, 1);
    assert.deepEqual(l.device('b1')?.publicKey, boards[1].publicKey);
    for (let r = 1; r <= 3; r++) await demoRound(l, r, r);
    assert.equal(l.height, 4);
    assert.equal(l.device('b0')?.counter, 3);
    assert.equal(l.model('mnist')?.round, 3);
    const head = l.headHash();
    const v = await l.verify();
    assert.equal(v.ok, true, v.error);
    assert.equal(v.height, 4);
    await l.close();
    l = await Ledger.open(t.dir, { genesis: genesis([gw]) });
    assert.equal(l.height, 4);
    assert.deepEqual(l.headHash(), head);
    assert.equal(l.device('b2')?.counter, 3);
    assert.equal((await l.verify()).ok, true);
    await l.close();
    // opening without genesis works for an existing chain; another genesis is refused
    l = await Ledger.open(t.dir);
    await l.close();
    await assert.rejects(Ledger.open(t.dir, { genesis: { ...genesis([gw]), chainId: 'other' } }), (e: LedgerError) => e.reason === 'genesis_mismatch');
  } finally { t.cleanup(); }
});

test('a replayed counter is rejected and the block is not written', async () => {
  const t = tempDir();
  try {
    const l = await Ledger.open(t.dir, { genesis: genesis([gw]) });
    await l.append(gw, boards.map((b) => registrationTx(gw, { id: b.id, publicKey: b.publicKey, profile })), {}, 1_500);
    await demoRound(l, 1, 5);
    const root = l.stateRoot();
    const e = envelope('b0', 10, { task: 'mnist', round: 2, ctr: 5, n: 100, model: Uint8Array.of(9) });
    const tx = updateRecordTx(gw, { task: 'mnist', round: 2, deviceId: 'b0', envelopeHash: e.envelopeHash, updateHash: e.updateHash, n: 100, score: 0, ctr: 5 });
    await assert.rejects(l.append(gw, [tx], {}, 3_000), (err: LedgerError) => err.reason === 'replay');
    assert.equal(l.height, 2);
    assert.deepEqual(l.stateRoot(), root);
    assert.equal((await l.verify()).ok, true);
    await l.close();
  } finally { t.cleanup(); }
});

test('an update record whose envelope was signed by another key is rejected', async () => {
  const t = tempDir();
  try {
    const l = await Ledger.open(t.dir, { genesis: genesis([gw]) });
    await l.append(gw, boards.map((b) => registrationTx(gw, { id: b.id, publicKey: b.publicKey, profile })), {}, 1_500);
    const e = envelope('b0', 99, { task: 'mnist', round: 1, ctr: 1, n: 100, model: Uint8Array.of(1) });
    await l.putBlob(e.bytes);
    const tx = updateRecordTx(gw, { task: 'mnist', round: 1, deviceId: 'b0', envelopeHash: e.envelopeHash, updateHash: e.updateHash, n: 100, score: 0, ctr: 1 });
    await assert.rejects(l.append(gw, [tx], {}, 3_000), (err: LedgerError) => err.reason === 'bad_signature');
    assert.equal(l.height, 1);
    assert.deepEqual(await l.getBlob(e.envelopeHash), e.bytes);
    assert.deepEqual(sha256(e.bytes), e.envelopeHash);
    await l.close();
  } finally { t.cleanup(); }
});

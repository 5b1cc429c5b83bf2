// Parallel signature checks (gateway/ledger/sig-pool.ts) and the commit-path verdicts
// (verdicts.ts): the pool names the failing signature of a batch; `ledger verify` still finds
// a forged transaction signature in a stored block whose every other rule holds; and a
// verdict covers only the exact (key, bytes, signature) this process signed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { sha256 } from '@noble/hashes/sha2.js';
import { Ledger, LedgerError, registrationTx, updateRecordTx, decodeAnyTx, type Tx } from '../gateway/ledger/index.js';
import { SigPool, SigBatch } from '../gateway/ledger/sig-pool.js';
import { SignatureVerdicts } from '../gateway/ledger/verdicts.js';
import { ChainStore } from '../gateway/ledger/store.js';
import { loadState } from '../gateway/ledger/state-load.js';
import { verifyChain } from '../gateway/ledger/verify.js';
import { executeTxs, txRoot } from '../gateway/ledger/validate.js';
import { decodeHeaderRecord, encodeHeaderRecord, encodeBody, proposerSigningBytes } from '../gateway/ledger/block.js';
import { HEADER_VERSION, headerHash, type Header } from '../gateway/ledger/header.js';
import { encodeCanonical, decodeBounded } from '../protocol/cbor.js';
import { tempDir, signer, genesis, profile } from './ledger-helpers.js';

const gw = signer('gw', 1);
const boards = Array.from({ length: 60 }, (_, i) => signer(`b${i}`, 30 + i));
const msg = (i: number) => new TextEncoder().encode(`message ${i}`);

test('the pool verifies a batch across threads and names the first bad signature', async () => {
  const pool = new SigPool(2);
  try {
    const b = new SigBatch();
    for (let i = 0; i < 100; i++) b.defer(boards[i % 60].publicKey, msg(i), boards[i % 60].sign(msg(i)));
    assert.equal(await pool.verify(b), -1);
    b.sig[57] = b.sig[57].slice(); b.sig[57][3] ^= 1;
    b.sig[80] = b.sig[81];
    assert.equal(await pool.verify(b), 57);
    const small = new SigBatch();
    small.defer(gw.publicKey, msg(1), gw.sign(msg(2)));
    assert.equal(await pool.verify(small), 0, 'a small batch is verified inline');
  } finally { await pool.close(); }
});

test('a verdict holds only for the exact key, bytes and signature', () => {
  const v = new SignatureVerdicts(2);
  const s = gw.sign(msg(1));
  v.record(gw.publicKey, msg(1), s);
  assert.ok(v.known(gw.publicKey, msg(1), s));
  assert.ok(!v.known(boards[0].publicKey, msg(1), s), 'other key');
  assert.ok(!v.known(gw.publicKey, msg(2), s), 'other bytes');
  v.record(gw.publicKey, msg(2), gw.sign(msg(2)));
  v.record(gw.publicKey, msg(3), gw.sign(msg(3)));
  assert.ok(!v.known(gw.publicKey, msg(1), s), 'the oldest verdict is forgotten beyond the bound');
});

async function forgedChain(dir: string, forge: boolean): Promise<void> {
  const l = await Ledger.open(dir, { genesis: genesis([gw]), envelopes: 'off' });
  await l.append(gw, boards.map((b) => registrationTx(gw, { id: b.id, publicKey: b.publicKey, profile })), {}, 1_500);
  await l.close();
  // Write block 2 straight to storage: every rule holds except, when forged, one signature.
  const store = await ChainStore.open(join(dir, 'chain'));
  try {
    const state = await loadState(store);
    const head = decodeHeaderRecord((await store.headerRecord(1))!);
    const txs: Tx[] = boards.map((b, i) => {
      const h = sha256(Uint8Array.of(i));
      const tx = updateRecordTx(gw, { task: 't', round: 1, deviceId: b.id, envelopeHash: sha256(h), updateHash: h, n: 1, score: 1, ctr: 1 });
      if (!forge || i !== 41) return tx;
      const [v, type, author, body, sig] = decodeBounded(tx.bytes, 1 << 20) as [number, string, string, unknown, Uint8Array];
      const bad = new Uint8Array(sig); bad[10] ^= 0x40;
      return decodeAnyTx(encodeCanonical([v, type, author, body as never, bad]));
    });
    const ex = executeTxs(state, txs, { height: 2, time: 2_000, chainId: 'test-chain', knownSig: () => true });
    const header: Header = { v: HEADER_VERSION, chainId: 'test-chain', height: 2, prev: head.hash, time: 2_000, txRoot: txRoot(txs), stateRoot: ex.stateRoot, proposer: gw.id, cons: { round: 1 } };
    const hash = headerHash(header);
    const block = { header, hash, sig: gw.sign(proposerSigningBytes(hash)), approvals: [], txs };
    await store.commit({
      height: 2, hash, headerRecord: encodeHeaderRecord(block), body: encodeBody(txs), txIndex: txs.map((t, index) => ({ hash: t.hash, index })), envelopes: [],
      statePut: [...ex.changes].filter(([, v]) => v !== null).map(([k, v]) => [k, encodeCanonical([k, v!])]), stateDel: [],
    });
    const r = await verifyChain(store);
    if (forge) {
      assert.equal(r.ok, false);
      assert.equal(r.height, 2);
      assert.match(r.error ?? '', /bad_signature: signature of tx 41/);
    } else assert.equal(r.ok, true, r.error);
  } finally { await store.close(); }
}

test('ledger verify finds a forged transaction signature checked on the worker pool', async () => {
  const a = tempDir('sigpool-ok'), b = tempDir('sigpool-forged');
  try { await forgedChain(a.dir, false); await forgedChain(b.dir, true); } finally { a.cleanup(); b.cleanup(); }
});

test('a large block from a peer is checked on the pool: one forged signature and nothing is written', async () => {
  const { dir, cleanup } = tempDir('sigpool-import');
  const many = Array.from({ length: 300 }, (_, i) => signer(`m${i}`, 200 + i));
  const l = await Ledger.open(dir, { genesis: genesis([gw]), envelopes: 'off' });
  try {
    await l.append(gw, many.map((b) => registrationTx(gw, { id: b.id, publicKey: b.publicKey, profile })), {}, 1_500);
    const build = (forge: boolean) => {
      const txs: Tx[] = many.map((b, i) => {
        const h = sha256(Uint8Array.of(i, i >> 8));
        const tx = updateRecordTx(gw, { task: 't', round: 1, deviceId: b.id, envelopeHash: sha256(h), updateHash: h, n: 1, score: 1, ctr: 1 });
        if (!forge || i !== 277) return tx;
        const [v, type, author, body, sig] = decodeBounded(tx.bytes, 1 << 20) as [number, string, string, unknown, Uint8Array];
        const bad = new Uint8Array(sig); bad[5] ^= 1;
        return decodeAnyTx(encodeCanonical([v, type, author, body as never, bad]));
      });
      // rules evaluated as a malicious proposer would, skipping the signatures
      const ex = executeTxs(l.stateView as never, txs, { height: 2, time: 2_000, chainId: 'test-chain', knownSig: () => true });
      const header: Header = { v: HEADER_VERSION, chainId: 'test-chain', height: 2, prev: l.headHash(), time: 2_000, txRoot: txRoot(txs), stateRoot: ex.stateRoot, proposer: gw.id, cons: { round: 1 } };
      const hash = headerHash(header);
      return { header, hash, sig: gw.sign(proposerSigningBytes(hash)), approvals: [], txs };
    };
    await assert.rejects(l.importBlock(build(true)), (e: unknown) => e instanceof LedgerError && e.reason === 'bad_signature' && /tx 277/.test(e.detail));
    assert.equal(l.height, 1, 'nothing written');
    await l.importBlock(build(false));
    assert.equal(l.height, 2);
  } finally { await l.close(); cleanup(); }
});

// Pruning with peer fetch, light-client proofs, consensus engines, BFLC layout and the CLI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sha256 } from '@noble/hashes/sha2.js';
import {
  Ledger, registrationTx, updateRecordTx, globalModelTx, verifyTxProof, encodeTxProof, decodeTxProof,
  merkleRoot, inclusionProof, verifyInclusion,
} from '../gateway/ledger/index.js';
import { tempDir, signer, genesis, profile, reason } from './ledger-helpers.js';

const gw = signer('gw', 1);
const boards = [signer('b0', 10), signer('b1', 11), signer('b2', 12)];
const enc = (s: string) => new TextEncoder().encode(s);

async function chain(dir: string, rounds: number, extra: object = {}) {
  const l = await Ledger.open(dir, { genesis: genesis([gw]), envelopes: 'off', ...extra });
  await l.append(gw, boards.map((b) => registrationTx(gw, { id: b.id, publicKey: b.publicKey, profile })), {}, 1_500);
  for (let r = 1; r <= rounds; r++) {
    const txs = [];
    for (const b of boards) txs.push(updateRecordTx(gw, { task: 't', round: r, deviceId: b.id, envelopeHash: await l.putBlob(enc(`env ${b.id} ${r}`)), updateHash: sha256(enc(`${b.id}${r}`)), n: 1, score: 1, ctr: r }));
    const modelHash = await l.putBlob(enc(`model ${r}`));
    txs.push(globalModelTx(gw, { task: 't', round: r, modelHash, updates: txs.map((t) => (t.body as any).envelopeHash) }));
    await l.append(gw, txs, { round: r }, 2_000 + r);
  }
  return l;
}

test('Merkle proofs match RFC 9162 shapes for every index and size up to 33', () => {
  for (let n = 1; n <= 33; n++) {
    const items = Array.from({ length: n }, (_, i) => sha256(Uint8Array.of(i)));
    const root = merkleRoot(items);
    for (let i = 0; i < n; i++) {
      const p = inclusionProof(items, i);
      assert.ok(verifyInclusion(items[i], p, root), `n=${n} i=${i}`);
      assert.ok(!verifyInclusion(sha256(items[i]), p, root), `wrong leaf n=${n} i=${i}`);
      if (n > 1) assert.ok(!verifyInclusion(items[i], { ...p, index: (i + 1) % n }, root), `wrong index n=${n} i=${i}`);
    }
  }
});

test('a device proves its update record is in a block; tampered proofs fail', async () => {
  const t = tempDir();
  const l = await chain(t.dir, 2);
  try {
    const blk = await l.block(3);
    const env = (blk.txs[1].body as any).envelopeHash as Uint8Array;
    const p = await l.proveUpdate(env);
    const wire = encodeTxProof(p);
    assert.ok(wire.length < 1024, `proof is ${wire.length} B`);
    const q = decodeTxProof(wire);
    assert.ok(verifyTxProof(q, { trustedHash: blk.hash }));
    assert.ok(verifyTxProof(q, { proposerKey: gw.publicKey }));
    assert.ok(!verifyTxProof(q, {}));
    assert.ok(!verifyTxProof(q, { proposerKey: boards[0].publicKey }));
    assert.ok(!verifyTxProof({ ...q, txHash: sha256(q.txHash) }, { trustedHash: blk.hash }));
    assert.ok(!verifyTxProof({ ...q, header: { ...q.header, time: q.header.time + 1 } }, { trustedHash: blk.hash }));
    await assert.rejects(l.proveUpdate(sha256(enc('nope'))), reason('not_found'));
  } finally { await l.close(); t.cleanup(); }
});

test('pruning keeps headers, verifies from a checkpoint, and fetches missing payloads from a peer (hash-checked)', async () => {
  const full = tempDir(), pruned = tempDir();
  const a = await chain(full.dir, 6);
  const b = await chain(pruned.dir, 6);
  try {
    assert.deepEqual(a.headHash(), b.headHash());
    const env2 = (((await b.block(2)).txs[0].body) as any).envelopeHash;
    const r = await b.prune(5);
    assert.equal(r.bodies, 5);
    assert.ok(r.blobs >= 12, `pruned ${r.blobs} blobs`);
    assert.equal(await b.rawBody(3), undefined);
    const v = await b.verify();
    assert.equal(v.ok, true, v.error);
    assert.equal(v.prunedBelow, 5);
    await assert.rejects(b.block(3), reason('pruned'));
    await b.close();
    // reopen with a peer: bodies and blobs come back, checked against header / hash
    let lie = false;
    const peer = {
      getBody: async (h: number) => (lie ? (await a.rawBody(h === 3 ? 4 : h)) : a.rawBody(h)),
      getBlob: async (h: Uint8Array) => (lie ? enc('forged') : a.getBlob(h)),
    };
    const c = await Ledger.open(pruned.dir, { peer });
    assert.deepEqual((await c.block(3)).hash, (await a.block(3)).hash);
    assert.deepEqual(await c.getBlob(env2), await a.getBlob(env2));
    const p = await c.proveTx((await a.block(2)).txs[0].hash);
    assert.ok(verifyTxProof(p, { proposerKey: gw.publicKey }));
    lie = true;
    await assert.rejects(c.block(3), reason('bad_payload'));
    await assert.rejects(c.getBlob(sha256(enc(`env b1 1`))), reason('bad_payload'));
    // the current model blob survives pruning
    assert.ok(await c.getBlob(c.model('t')!.modelHash));
    // appending after pruning still works and verifies
    await c.append(gw, [updateRecordTx(gw, { task: 't', round: 7, deviceId: 'b0', envelopeHash: sha256(enc('x')), updateHash: sha256(enc('y')), n: 1, score: 1, ctr: 7 })], {}, 9_000);
    assert.equal((await c.verify()).ok, true);
    await c.close();
  } finally { await a.close(); full.cleanup(); pruned.cleanup(); }
});

test('committee engine needs ⌈2n/3⌉ member approvals; PoW needs its difficulty', async () => {
  const t = tempDir(), u = tempDir();
  const m2 = signer('m2', 2), m3 = signer('m3', 3);
  try {
    const l = await Ledger.open(t.dir, { genesis: genesis([gw, m2, m3], { consensus: 'quorum' }), envelopes: 'off' });
    const reg = (id: string, n: number) => registrationTx(gw, { id, publicKey: signer(id, n).publicKey, profile });
    const committee = ['gw', 'm2', 'm3'];
    await assert.rejects(l.append(gw, [reg('x', 20)], { committee, approvers: [gw] }, 1010), reason('bad_consensus'));
    await assert.rejects(l.append(gw, [reg('x', 20)], { committee, approvers: [gw, boards[0]] }, 1010), reason('bad_consensus'));
    await l.append(gw, [reg('x', 20)], { committee, approvers: [gw, m3] }, 1010);
    assert.equal((await l.verify()).ok, true);
    await l.close();
    const p = await Ledger.open(u.dir, { genesis: genesis([gw], { consensus: 'work', pow_difficulty: 6 }), envelopes: 'off' });
    await assert.rejects(p.append(gw, [reg('x', 20)], { difficulty: 2 }, 1010), reason('bad_consensus'));
    const blk = await p.append(gw, [reg('x', 20)], { difficulty: 6 }, 1010);
    assert.ok(blk.hash[0] < 4);
    assert.equal((await p.verify()).ok, true);
    await p.close();
  } finally { t.cleanup(); u.cleanup(); }
});

test('BFLC layout: model block at t·(k+1), k update blocks after it', async () => {
  const t = tempDir();
  try {
    const l = await Ledger.open(t.dir, { genesis: genesis([gw], { layout: 'bflc', bflc_k: 2 }), envelopes: 'off' });
    // k = 2: heights 1, 2 are round 0 update blocks; 3 is round 1's model block; 4, 5 round 1 updates
    const up = (b: number, round: number, ctr: number) => updateRecordTx(gw, { task: 't', round, deviceId: `b${b}`, envelopeHash: sha256(enc(`e${b}${ctr}`)), updateHash: sha256(enc(`u${b}${ctr}`)), n: 1, score: 1, ctr });
    await l.append(gw, [...boards.map((b) => registrationTx(gw, { id: b.id, publicKey: b.publicKey, profile })).slice(0, 2)], {}, 1010);
    await assert.rejects(l.append(gw, [up(2, 0, 1)], {}, 1011), reason('unknown_author')); // b2 was not registered
    await l.append(gw, [up(0, 0, 1), up(1, 0, 1)], {}, 1011);
    assert.equal(l.height, 2);
    await assert.rejects(l.append(gw, [up(0, 1, 2)], {}, 1012), reason('layout'));
    await l.append(gw, [globalModelTx(gw, { task: 't', round: 1, modelHash: sha256(enc('m1')), updates: [up(0, 0, 1).body.envelopeHash, up(1, 0, 1).body.envelopeHash] })], {}, 1012);
    await assert.rejects(l.append(gw, [up(0, 0, 2)], {}, 1013), reason('layout'));
    await l.append(gw, [up(0, 1, 2)], {}, 1013);
    assert.equal((await l.verify()).ok, true);
    await l.close();
  } finally { t.cleanup(); }
});

test('CLI: verify, show and export', async () => {
  const t = tempDir();
  try {
    const l = await chain(t.dir, 2);
    await l.close();
    const cli = fileURLToPath(new URL('../gateway/audit/cli.js', import.meta.url));
    const v = JSON.parse(execFileSync(process.execPath, [cli, 'verify', t.dir]).toString());
    assert.equal(v.ok, true);
    assert.equal(v.height, 3);
    const s = JSON.parse(execFileSync(process.execPath, [cli, 'show', t.dir, '2']).toString());
    assert.equal(s.height, 2);
    assert.equal(s.txs.length, 4);
    const x = JSON.parse(execFileSync(process.execPath, [cli, 'export', t.dir]).toString());
    assert.equal(x.blocks.length, 4);
    assert.equal(x.state['dev/b1'].counter, 2);
  } finally { t.cleanup(); }
});

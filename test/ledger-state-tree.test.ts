// The sparse Merkle state tree (gateway/ledger/smt.ts, state.ts): the incremental root equals a
// from-scratch reference over the same entries whatever the order and batching of updates, and
// state proofs (registration, counter, balance, absent keys) verify against a header's root.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { sha256 } from '@noble/hashes/sha2.js';
import { StateDb, encodeEntry, type StateValue } from '../gateway/ledger/state.js';
import {
  Ledger, registrationTx, updateRecordTx, verifyStateProof, encodeStateProof, decodeStateProof, LedgerError,
} from '../gateway/ledger/index.js';
import { Rng } from '../boards/data/rng.js';
import { tempDir, signer, genesis, profile } from './ledger-helpers.js';

// An independent reference of the tree's definition (docs/ledger.md §State root): no sharing,
// no incremental update, straight from the set of entries.
const H = (...p: Uint8Array[]) => { const h = createHash('sha256'); for (const x of p) h.update(x); return new Uint8Array(h.digest()); };
const ZERO = new Uint8Array(32);
const bitOf = (p: Uint8Array, d: number) => (p[d >> 3] >> (7 - (d & 7))) & 1;
function refRoot(entries: Map<string, StateValue>): Uint8Array {
  const leaves = [...entries].map(([k, v]) => { const path = H(new TextEncoder().encode(k)); return { path, h: H(Uint8Array.of(0), path, encodeEntry(k, v)) }; });
  const sub = (xs: typeof leaves, d: number): Uint8Array => {
    if (xs.length === 0) return ZERO;
    if (xs.length === 1) return xs[0].h;
    return H(Uint8Array.of(1), sub(xs.filter((x) => bitOf(x.path, d) === 0), d + 1), sub(xs.filter((x) => bitOf(x.path, d) === 1), d + 1));
  };
  return sub(leaves, 0);
}

test('incremental state root equals the from-scratch reference under random puts and deletes', () => {
  const rng = new Rng(20);
  const s = new StateDb();
  const model = new Map<string, StateValue>();
  assert.deepEqual(s.root(), ZERO, 'empty state has the empty root');
  for (let block = 0; block < 40; block++) {
    const changes = new Map<string, StateValue | null>();
    for (let i = 0, n = 1 + rng.int(30); i < n; i++) {
      const k = `k/${rng.int(120)}`;
      if (rng.int(4) === 0) changes.set(k, null); else changes.set(k, { v: rng.int(1000), b: new Uint8Array([block, i]) });
    }
    const predicted = s.rootWith(changes);
    s.apply(changes, predicted);
    for (const [k, v] of changes) v === null ? model.delete(k) : model.set(k, v);
    assert.deepEqual(s.root(), predicted);
    assert.deepEqual(s.root(), refRoot(model), `block ${block}: ${model.size} entries`);
  }
  // the same entries loaded in another order give the same root (persisted state reopened)
  const r = new StateDb();
  for (const [k, v] of [...model].reverse()) r.load(k, v, encodeEntry(k, v));
  assert.deepEqual(r.root(), s.root());
  // deleting everything returns to the empty root
  s.apply(new Map([...model.keys()].map((k) => [k, null])));
  assert.deepEqual(s.root(), ZERO);
});

test('rootWith does not change the committed state or its root', () => {
  const s = new StateDb();
  s.apply(new Map([['a', 1], ['b', 2]]));
  const before = s.root();
  const other = s.rootWith(new Map([['a', null], ['c', 3]]));
  assert.notDeepEqual(other, before);
  assert.deepEqual(s.root(), before);
  assert.equal(s.get('a'), 1);
  assert.equal(s.get('c'), undefined);
});

test('state proofs: a device registration, its counter, a balance and an absent key verify against the head', async () => {
  const { dir, cleanup } = tempDir('state-proof');
  const gw = signer('gw', 1);
  const boards = Array.from({ length: 40 }, (_, i) => signer(`b${i}`, 20 + i));
  const l = await Ledger.open(dir, { genesis: genesis([gw], {}, { gw: 500, b3: 70 }), envelopes: 'off' });
  try {
    await l.append(gw, boards.map((b) => registrationTx(gw, { id: b.id, publicKey: b.publicKey, profile })), {}, 1_500);
    const h = sha256(Uint8Array.of(7));
    await l.append(gw, [updateRecordTx(gw, { task: 't', round: 1, deviceId: 'b5', envelopeHash: sha256(h), updateHash: h, n: 1, score: 1, ctr: 9 })], { round: 1 }, 1_600);
    const root = l.head().stateRoot;
    // registration with the counter the update raised
    const dev = l.proveState('dev/b5');
    assert.equal((dev.value as any).counter, 9);
    assert.ok(verifyStateProof(root, dev));
    assert.ok(verifyStateProof(root, decodeStateProof(encodeStateProof(dev))), 'survives the wire form');
    // a lied counter, or the proof under another key, fails
    assert.ok(!verifyStateProof(root, { ...dev, value: { ...(dev.value as object), counter: 10 } as StateValue }));
    assert.ok(!verifyStateProof(root, { ...dev, key: 'dev/b6' }));
    // a balance
    const bal = l.proveState('bal/b3');
    assert.equal(bal.value, 70);
    assert.ok(verifyStateProof(root, bal));
    assert.ok(!verifyStateProof(root, { ...bal, value: 71 }));
    // an unregistered device: exclusion proof verifies, and cannot be turned into an inclusion
    const none = l.proveState('dev/nobody');
    assert.equal(none.value, undefined);
    assert.ok(verifyStateProof(root, none));
    assert.ok(!verifyStateProof(root, { ...none, value: 1 }));
    // a present key cannot be proven absent with its own path
    assert.ok(!verifyStateProof(root, { key: 'dev/b5', path: dev.path }));
    // a tampered sibling fails; an old proof fails against the next root
    const bad = { ...dev, path: { ...dev.path, siblings: dev.path.siblings.map((s, i) => (i === 0 ? new Uint8Array(32).fill(1) : s)) } };
    assert.ok(dev.path.siblings.length > 0 && !verifyStateProof(root, bad));
    await l.append(gw, [updateRecordTx(gw, { task: 't', round: 1, deviceId: 'b5', envelopeHash: sha256(Uint8Array.of(8)), updateHash: h, n: 1, score: 1, ctr: 10 })], { round: 1 }, 1_700);
    assert.ok(!verifyStateProof(l.head().stateRoot, dev));
    assert.ok(verifyStateProof(l.head().stateRoot, l.proveState('dev/b5')));
    // bounded decoder
    assert.throws(() => decodeStateProof(new Uint8Array(100 * 1024)), (e: unknown) => e instanceof LedgerError && e.reason === 'too_large');
    assert.throws(() => decodeStateProof(encodeStateProof(dev).subarray(0, 20)), (e: unknown) => e instanceof LedgerError && e.reason === 'truncated');
  } finally { await l.close(); cleanup(); }
});

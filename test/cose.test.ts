import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ed25519 } from '@noble/curves/ed25519.js';
import { signSign1, parseSign1, verifySign1, sigStructure, ed25519PublicKey, CoseError } from '../protocol/cose.js';
import { ed25519FromSeed } from '../protocol/keys.js';
import { encodeUpdate, decodeUpdate } from '../protocol/update.js';
import { encodeCanonical } from '../protocol/cbor.js';

const seed = new Uint8Array(32).fill(7);
const keys = ed25519FromSeed(seed);
const kid = new TextEncoder().encode('dev-0001');
const fields = { task: 't1', round: 3, base: new Uint8Array(32).fill(1), n: 120, model: new Uint8Array(50).fill(9), ctr: 4, metrics: { loss_u: 123456 } };

test('node key derivation agrees with @noble/curves (RFC 8032 §5.1.5)', () => {
  assert.deepEqual(keys.publicRaw, ed25519.getPublicKey(seed));
});

test('COSE_Sign1 (RFC 9052 §4.2, §4.4) structure and signature, checked by two implementations', () => {
  const payload = encodeUpdate(fields);
  const msg = signSign1(kid, payload, keys.privateKey);
  assert.equal(msg[0], 0xd2, 'tag 18');
  const p = parseSign1(msg, 4096);
  assert.deepEqual(p.kid, kid);
  assert.ok(verifySign1(p, ed25519PublicKey(keys.publicRaw)));
  assert.ok(ed25519.verify(p.signature, sigStructure(p.protectedBytes, p.payload), keys.publicRaw), 'noble verifies the Sig_structure');
  assert.deepEqual(decodeUpdate(p.payload, 4096), fields);
  // protected header is the deterministic map {1: -8, 4: kid}
  assert.equal(Buffer.from(p.protectedBytes).toString('hex'), 'a2012704' + '48' + Buffer.from(kid).toString('hex'));
});

test('any flipped byte is rejected', () => {
  const msg = signSign1(kid, encodeUpdate(fields), keys.privateKey);
  const pub = ed25519PublicKey(keys.publicRaw);
  for (let i = 0; i < msg.length; i++) {
    const bad = Uint8Array.from(msg); bad[i] ^= 0x01;
    let ok = false;
    try { ok = verifySign1(parseSign1(bad, 4096), pub); } catch (e) { assert.ok(e instanceof CoseError, String(e)); }
    assert.equal(ok, false, `flip at byte ${i} accepted`);
  }
});

test('parseSign1 limits and structure errors', () => {
  const msg = signSign1(kid, encodeUpdate(fields), keys.privateKey);
  assert.throws(() => parseSign1(msg, 100), (e: any) => e.reason === 'too_large');
  assert.throws(() => parseSign1(msg.subarray(0, 40), 4096), (e: any) => e.reason === 'truncated');
  assert.throws(() => parseSign1(Uint8Array.from([0x01]), 4096), (e: any) => e.reason === 'not_cose_sign1');
});

test('decodeUpdate reads integers above 2^32 (cbor-x bigints) and refuses unsafe ones', () => {
  const big = { ...fields, ctr: 2 ** 40 + 3, n: 2 ** 33, metrics: { loss_u: -(2 ** 35) } };
  assert.deepEqual(decodeUpdate(encodeUpdate(big), 4096), big);
  const unsafe = encodeCanonical(new Map<string, any>([['n', 2n ** 60n], ['ctr', 1], ['base', fields.base], ['task', 't'], ['model', fields.model], ['round', 1]]));
  assert.throws(() => decodeUpdate(unsafe, 4096), /n must be an unsigned integer|integer beyond 2\^53/);
});

test('decodeUpdate rejects wrong field types', () => {
  assert.throws(() => decodeUpdate(encodeUpdate({ ...fields, base: new Uint8Array(31) }), 4096), /base/);
  assert.throws(() => decodeUpdate(Uint8Array.from([0x80]), 4096), /map/);
});

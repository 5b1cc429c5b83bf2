// The gateway's global-model announcement verified in firmware (cose_verify_global,
// firmware/crypto/global.ts) against the gateway's own encoder (protocol/announcement.ts): valid
// messages give the same fields as decodeAnnouncement; forged, tampered, malformed and truncated ones
// are refused with the documented codes, and no input makes the firmware trap.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sign as nodeSign } from 'node:crypto';
import { sha256 } from '@noble/hashes/sha2.js';
import { FirmwareInstance } from '../boards/firmware/instance.js';
import { DeviceSigner } from '../boards/firmware/signer.js';
import { FirmwareError } from '../protocol/firmware-error.js';
import { decodeAnnouncement } from '../protocol/announcement.js';
import { certified, oneGatewayTrust } from './support/announce.js';
import { encodeSign1, protectedHeader, sigStructure } from '../protocol/cose.js';
import { encodeCanonical, Tag } from '../protocol/cbor.js';
import { ed25519FromSeed } from '../protocol/keys.js';

const gw = { id: 'gw-0', ...ed25519FromSeed(new Uint8Array(32).fill(7)) };
const other = ed25519FromSeed(new Uint8Array(32).fill(8));
const signer = new DeviceSigner(new FirmwareInstance());
const kid = new TextEncoder().encode('gw-0');
const model = new Uint8Array(15_792).map((_, i) => (i * 31 + 7) & 255);

/** A COSE_Sign1 over any payload and protected header, signed with the gateway's key. */
function signed(payload: Uint8Array, prot = protectedHeader(kid), key = gw.privateKey, tagged = true): Uint8Array {
  const sig = new Uint8Array(nodeSign(null, sigStructure(prot, payload), key));
  const msg = encodeSign1(prot, payload, sig);
  return tagged ? msg : msg.subarray(1); // tag 18 is the single byte 0xd2
}
const code = (f: () => unknown): number => {
  try { f(); return 0; } catch (e) { if (e instanceof FirmwareError) return e.code; throw e; }
};

test('a valid announcement gives the fields decodeAnnouncement gives', () => {
  for (const [round, done, m, task] of [[1, false, model, 'mnist-lr'], [65536, true, new Uint8Array(0), 't'], [2 ** 32 - 1, false, model.subarray(0, 24), 'x'.repeat(64)]] as const) {
    const msg = certified(gw, { task, round, model: m, done });
    const ref = decodeAnnouncement(msg, oneGatewayTrust(gw), 1 << 22);
    const got = signer.verifyGlobal(msg, gw.publicRaw);
    assert.deepEqual(got, { task: ref.task, round: ref.round, hash: ref.hash, model: ref.model, done: ref.done });
  }
  // the firmware takes rounds up to 2^53 - 1 (the gateway's safe-integer range)
  const big = encodeCanonical({ task: 'a', round: Number.MAX_SAFE_INTEGER, hash: sha256(model), model, done: false });
  assert.equal(signer.verifyGlobal(signed(big), gw.publicRaw).round, Number.MAX_SAFE_INTEGER);
  // untagged COSE_Sign1 is accepted too (RFC 9052 §4.2: the tag is optional)
  const payload = encodeCanonical({ task: 'a', round: 3, hash: sha256(model), model, done: false });
  assert.equal(signer.verifyGlobal(signed(payload, undefined, undefined, false), gw.publicRaw).round, 3);
});

test('fields the firmware does not know are skipped (payload and protected header)', () => {
  const payload = encodeCanonical({ task: 'a', round: 5, hash: sha256(model), model, done: false, height: 12, evidence: [1, [2, new Uint8Array(3)], { k: -1 }] });
  assert.equal(signer.verifyGlobal(signed(payload), gw.publicRaw).round, 5);
  const prot = encodeCanonical(new Map<number, any>([[1, -8], [4, kid], [3, 'application/cbor']]));
  assert.equal(signer.verifyGlobal(signed(payload, prot), gw.publicRaw).round, 5);
});

test("the gateway's announcement with a committee (BFLC) verifies: the list is skipped, the five fields read", () => {
  const committee = Array.from({ length: 64 }, (_, i) => `dev-${String(i).padStart(5, '0')}`);
  const msg = certified(gw, { task: 'mnist-lr', round: 7, model, done: false, committee });
  const ref = decodeAnnouncement(msg, oneGatewayTrust(gw), 1 << 22);
  assert.deepEqual(ref.committee, committee);
  assert.deepEqual(signer.verifyGlobal(msg, gw.publicRaw), { task: ref.task, round: ref.round, hash: ref.hash, model: ref.model, done: ref.done });
});

test('wrong key, tampering and bad keys are refused', () => {
  const msg = certified(gw, { task: 'mnist-lr', round: 4, model, done: false });
  assert.equal(code(() => signer.verifyGlobal(msg, other.publicRaw)), -7);
  assert.equal(code(() => signer.verifyGlobal(certified(gw, { task: 'mnist-lr', round: 4, model, done: false }, other.privateKey), gw.publicRaw)), -7);
  for (const at of [20, 200, msg.length - 70, msg.length - 1]) {
    const bad = msg.slice(); bad[at] ^= 1;
    assert.ok([-7, -12].includes(code(() => signer.verifyGlobal(bad, gw.publicRaw))), `flip at ${at}`);
  }
  const smallOrder = new Uint8Array(32); smallOrder[0] = 1; // the identity point
  assert.equal(code(() => signer.verifyGlobal(msg, smallOrder)), -6);
  assert.equal(code(() => signer.verifyGlobal(msg, new Uint8Array(32).fill(0xff))), -6); // y ≥ p
});

test('malformed announcements are E_BAD_MSG, even when correctly signed', () => {
  const h = sha256(model);
  const cases: Record<string, unknown> = {
    missing_done: { task: 'a', round: 1, hash: h, model },
    missing_model: { task: 'a', round: 1, hash: h, done: false },
    hash_mismatch: { task: 'a', round: 1, hash: sha256(new Uint8Array(1)), model, done: false },
    short_hash: { task: 'a', round: 1, hash: h.subarray(0, 31), model, done: false },
    round_negative: { task: 'a', round: -1, hash: h, model, done: false },
    round_unsafe: { task: 'a', round: 2n ** 53n, hash: h, model, done: false },
    task_empty: { task: '', round: 1, hash: h, model, done: false },
    task_long: { task: 'x'.repeat(65), round: 1, hash: h, model, done: false },
    done_not_bool: { task: 'a', round: 1, hash: h, model, done: 1 },
    model_text: { task: 'a', round: 1, hash: h, model: 'abc', done: false },
    not_a_map: [1, 2, 3],
  };
  for (const [name, p] of Object.entries(cases)) {
    assert.equal(code(() => signer.verifyGlobal(signed(encodeCanonical(p as any)), gw.publicRaw)), -12, name);
  }
  const dup = Uint8Array.from([0xa6, ...encodeCanonical({ task: 'a', round: 1, hash: h, model, done: false }).subarray(1), 0x64, ...new TextEncoder().encode('done'), 0xf5]);
  assert.equal(code(() => signer.verifyGlobal(signed(dup), gw.publicRaw)), -12, 'duplicate key');
  const ok = encodeCanonical({ task: 'a', round: 1, hash: h, model, done: false });
  assert.equal(code(() => signer.verifyGlobal(signed(ok, encodeCanonical(new Map<number, any>([[1, -7], [4, kid]]))), gw.publicRaw)), -12, 'alg ES256');
  assert.equal(code(() => signer.verifyGlobal(signed(ok, encodeCanonical(new Map<number, any>([[1, -8]]))), gw.publicRaw)), -12, 'no kid');
  assert.equal(code(() => signer.verifyGlobal(encodeCanonical(new Tag([protectedHeader(kid), new Map(), ok, new Uint8Array(64)], 98)), gw.publicRaw)), -12, 'COSE_Sign tag 98');
  assert.equal(code(() => signer.verifyGlobal(encodeCanonical(new Tag([protectedHeader(kid), new Map(), ok, new Uint8Array(63)], 18)), gw.publicRaw)), -12, '63-byte signature');
});

test('every truncation and random corruption is refused without a trap', () => {
  const msg = certified(gw, { task: 'mnist-lr', round: 9, model: model.subarray(0, 300), done: false });
  for (let n = 0; n < msg.length; n++) assert.equal(code(() => signer.verifyGlobal(msg.subarray(0, n), gw.publicRaw)), n < msg.length ? -12 : 0, `prefix ${n}`);
  let s = 12345;
  const rnd = () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s; };
  for (let i = 0; i < 3000; i++) {
    const bad = msg.slice();
    for (let k = 0; k <= rnd() % 4; k++) bad[rnd() % bad.length] = rnd() & 255;
    const c = code(() => signer.verifyGlobal(bad, gw.publicRaw));
    if (Buffer.compare(Buffer.from(bad), Buffer.from(msg)) !== 0) assert.ok(c < 0, `corruption ${i} accepted`);
  }
  // the firmware still works afterwards
  assert.equal(signer.verifyGlobal(msg, gw.publicRaw).round, 9);
});

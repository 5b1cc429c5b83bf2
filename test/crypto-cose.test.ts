// Device updates made in firmware: the COSE_Sign1 bytes (RFC 9052 §4.2–4.4) must equal the
// gateway's own encoding byte for byte, and every signature must verify with the gateway's
// independent verifier (node:crypto + cbor-x); tampered and wrong-key messages must not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FirmwareInstance } from '../boards/firmware/instance.js';
import { DeviceSigner, encodeRecord } from '../boards/firmware/signer.js';
import { FirmwareError } from '../protocol/firmware-error.js';
import { encodeSign1, protectedHeader, parseSign1, verifySign1, ed25519PublicKey } from '../protocol/cose.js';
import { encodeUpdate, decodeUpdate, type UpdateFields } from '../protocol/update.js';

const hex = (u: Uint8Array) => Buffer.from(u).toString('hex');
const signer = new DeviceSigner(new FirmwareInstance());
signer.provision(new Uint8Array(32).map((_, i) => i * 3 + 1));
const key = ed25519PublicKey(signer.publicKey());

// integer boundaries of CBOR heads (RFC 8949 §3.1) and of the gateway's safe range
const UINTS = [0, 1, 23, 24, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, Number.MAX_SAFE_INTEGER];
const INTS = [...UINTS, -1, -24, -25, -256, -257, -65536, -65537, -(2 ** 32), -(2 ** 32) - 1, -Number.MAX_SAFE_INTEGER];
const KEYS = ['loss_u', 'eps_m', 'acc_u', 'a', 'bb', 'z', 'n_u', 'clip_l1', 'k'.repeat(23), 'k'.repeat(24), 'q'.repeat(32), 'ε_m', 'Ä'];

function fieldsFor(i: number): UpdateFields {
  const metrics: Record<string, number> = {};
  const count = i % 17;
  for (let k = 0; k < Math.min(count, KEYS.length); k++) metrics[KEYS[(k + i) % KEYS.length]] = INTS[(k * 7 + i) % INTS.length];
  const modelLen = [0, 1, 23, 24, 255, 256, 1000, 65535, 65536, 70001][i % 10];
  return {
    task: ['mnist', 't', 'x'.repeat(64), 'tâche-ü'][i % 4],
    round: UINTS[i % UINTS.length],
    base: new Uint8Array(32).map((_, j) => (j * 13 + i) & 255),
    n: UINTS[(i + 3) % UINTS.length],
    model: new Uint8Array(modelLen).map((_, j) => (j * 7 + i) & 255),
    ctr: UINTS[(i + 5) % UINTS.length],
    metrics,
  };
}

test('firmware COSE_Sign1 equals encodeSign1(protectedHeader(kid), encodeUpdate(fields), sig) and verifies', () => {
  for (let i = 0; i < 200; i++) {
    const kid = new TextEncoder().encode(['dev-0', 'd', 'device-' + 'x'.repeat(50)][i % 3]);
    const f = fieldsFor(i);
    const msg = signer.signUpdate(kid, f);
    const sig = msg.subarray(msg.length - 64);
    const expected = encodeSign1(protectedHeader(kid), encodeUpdate(f), sig);
    assert.equal(hex(msg), hex(expected), `case ${i}`);
    const parsed = parseSign1(msg, 1 << 20);
    assert.ok(verifySign1(parsed, key), `case ${i}: gateway verifier rejects firmware signature`);
    // cbor-x decodes 64-bit heads as bigint, which the gateway's decodeUpdate refuses; the
    // round trip is checked where every integer fits 32 bits (the bytes are checked above for all).
    const fits = [f.round, f.n, f.ctr, ...Object.values(f.metrics)].every((v) => Math.abs(v) < 2 ** 32);
    if (!fits) continue;
    const back = decodeUpdate(parsed.payload, 1 << 20);
    assert.deepEqual({ ...back, base: hex(back.base), model: hex(back.model) }, { ...f, base: hex(f.base), model: hex(f.model) });
  }
});

test('tampered and wrong-key updates are rejected by the gateway verifier', () => {
  const kid = new TextEncoder().encode('dev-7');
  const msg = signer.signUpdate(kid, fieldsFor(5));
  const other = new DeviceSigner(new FirmwareInstance());
  other.provision(new Uint8Array(32).fill(42));
  assert.equal(verifySign1(parseSign1(msg, 1 << 20), ed25519PublicKey(other.publicKey())), false, 'wrong key');
  // flip one bit in every byte position; messages that still parse must not verify
  let checked = 0;
  for (let i = 0; i < msg.length; i += Math.max(1, msg.length >> 9)) {
    const t = msg.slice(); t[i] ^= 0x01;
    let parsed;
    try { parsed = parseSign1(t, 1 << 20); } catch { continue; }
    assert.equal(verifySign1(parsed, key), false, `byte ${i} flipped`);
    checked++;
  }
  assert.ok(checked > 100);
});

test('the same fields signed twice give identical bytes (deterministic Ed25519, RFC 8032 §5.1.6)', () => {
  const kid = new TextEncoder().encode('dev-1');
  assert.equal(hex(signer.signUpdate(kid, fieldsFor(3))), hex(signer.signUpdate(kid, fieldsFor(3))));
});

test('bad update records return error codes, never trap', () => {
  const x = signer.fw.exports;
  const put = (b: Uint8Array) => { const p = x.crypto_buf(b.length); signer.fw.bytes(p, b.length).set(b); return p; };
  const kid = new TextEncoder().encode('dev');
  const good = fieldsFor(2);
  const code = (fn: () => unknown) => { try { fn(); return 0; } catch (e) { assert.ok(e instanceof FirmwareError); return e.code; } };
  assert.equal(code(() => signer.signUpdate(new Uint8Array(0), good)), -2);            // empty kid
  assert.equal(code(() => signer.signUpdate(new Uint8Array(65), good)), -2);           // kid > 64
  assert.equal(code(() => signer.signUpdate(kid, { ...good, task: '' })), -2);
  assert.equal(code(() => signer.signUpdate(kid, { ...good, task: 'x'.repeat(65) })), -2);
  const many: Record<string, number> = {};
  for (let i = 0; i < 17; i++) many['m' + i] = i;
  assert.equal(code(() => signer.signUpdate(kid, { ...good, metrics: many })), -2);
  assert.equal(code(() => signer.signUpdate(kid, { ...good, metrics: { ['x'.repeat(33)]: 1 } })), -2);
  // truncated records at every length, and one trailing byte
  const rec = encodeRecord(kid, good);
  for (let n = 0; n < rec.length; n += 1 + (n >> 4)) assert.equal(x.cose_sign_update(put(rec.subarray(0, n)), n), -4, `truncated at ${n}`);
  const longer = new Uint8Array(rec.length + 1); longer.set(rec);
  assert.equal(x.cose_sign_update(put(longer), longer.length), -4);
  // model over the 4 MiB limit
  const huge = new Uint8Array(rec.length); huge.set(rec);
  const modelLenAt = 1 + kid.length + 1 + new TextEncoder().encode(good.task).length + 24 + 32;
  new DataView(huge.buffer).setUint32(modelLenAt, (4 << 20) + 1, true);
  assert.equal(x.cose_sign_update(put(huge), huge.length), -9);
  // integer fields over 2^53 - 1
  const big = rec.slice();
  new DataView(big.buffer).setBigUint64(1 + kid.length + 1 + new TextEncoder().encode(good.task).length, 1n << 53n, true);
  assert.equal(x.cose_sign_update(put(big), big.length), -2);
  // out of memory range
  assert.equal(x.cose_sign_update(signer.fw.memory.buffer.byteLength - 10, 100), -4);
});

test('signing in the same instance as the training kernel leaves the loaded model intact', async () => {
  const { Kernel } = await import('../boards/firmware/kernel.js');
  const fw = new FirmwareInstance();
  const k = new Kernel(fw);
  k.load(Kernel.initialModel(fw, { arch: 'mlp', inputs: 784, hidden: 32, outputs: 10, seed: 3 }));
  const before = k.export();
  const s = new DeviceSigner(fw);
  s.provision(new Uint8Array(32).fill(8));
  const kid = new TextEncoder().encode('dev-k');
  const f = { ...fieldsFor(1), model: before };
  const msg = s.signUpdate(kid, f);
  s.privatize(new Int32Array(5000).fill(3), 1000, 1);
  s.sha256(new Uint8Array(200_000));
  assert.equal(hex(k.export()), hex(before), 'kernel model changed by crypto calls');
  assert.equal(hex(msg), hex(encodeSign1(protectedHeader(kid), encodeUpdate(f), msg.subarray(msg.length - 64))));
  assert.ok(verifySign1(parseSign1(msg, 1 << 20), ed25519PublicKey(s.publicKey())));
});

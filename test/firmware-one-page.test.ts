// A board in one 64 KiB page: the firmware loads and exports model blobs in chunks, signs the
// update from the model it holds (cose_sign_model, the Sig_structure streamed twice through
// SHA-512) and hands out the COSE_Sign1 in pieces (cose_update_read). The envelope must be the
// bytes the gateway's own encoder makes, verify under its independent verifier (node:crypto),
// and equal what the whole-message ABI (cose_sign_update) makes on an unbounded instance.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FirmwareInstance } from '../boards/firmware/instance.js';
import { Kernel, type Dataset, type ModelSpec } from '../boards/firmware/kernel.js';
import { DeviceSigner, encodeRecord } from '../boards/firmware/signer.js';
import { WASM_PAGE } from '../boards/firmware/pages.js';
import { FirmwareError } from '../protocol/firmware-error.js';
import { encodeSign1, protectedHeader, parseSign1, verifySign1, ed25519PublicKey } from '../protocol/cose.js';
import { encodeUpdate, type UpdateFields } from '../protocol/update.js';
import { decodeModel, encodeModel } from '../protocol/model-blob.js';

const hex = (u: Uint8Array) => Buffer.from(u).toString('hex');
const LR: ModelSpec = { arch: 'logreg', inputs: 784, outputs: 10, seed: 3 };
const MLP: ModelSpec = { arch: 'mlp', inputs: 784, hidden: 32, outputs: 10, seed: 3 };
const SEED = new Uint8Array(32).map((_, i) => i * 5 + 2);

function digits(n: number, seed: number): Dataset {
  const x = new Uint8Array(n * 784), y = new Uint8Array(n);
  let s = seed;
  for (let i = 0; i < x.length; i++) { s = (Math.imul(s, 1103515245) + 12345) >>> 0; x[i] = (s >>> 24) & 0xff; }
  for (let i = 0; i < n; i++) y[i] = (i * 7 + seed) % 10;
  return { n, dim: 784, x, y, classes: 10 };
}

function device(maxPages?: number) {
  const fw = new FirmwareInstance(undefined, 'release', maxPages);
  const signer = new DeviceSigner(fw);
  signer.provision(SEED.slice());
  return { fw, kernel: new Kernel(fw), signer };
}

function fields(model: Uint8Array, i: number): UpdateFields {
  const metrics: Record<string, number> = [{}, { loss_u: 2302585 }, { loss_u: 1, eps_m: 500, acc_u: -7 }, { ['q'.repeat(32)]: Number.MAX_SAFE_INTEGER, a: -(2 ** 40) }][i % 4];
  return {
    task: ['mnist', 't', 'x'.repeat(64), 'tâche-ü'][i % 4], round: [1, 23, 65536, Number.MAX_SAFE_INTEGER][i % 4],
    base: new Uint8Array(32).map((_, j) => (j * 13 + i) & 255), n: [0, 100, 2 ** 32, 24][i % 4], model, ctr: i + 1, metrics,
  };
}

/** The whole-message ABI on an unbounded instance with the same key: the reference bytes. */
const ref = device();
function oldAbi(kid: Uint8Array, f: UpdateFields): Uint8Array {
  const x = ref.fw.exports, rec = encodeRecord(kid, f);
  const p = x.crypto_buf(rec.length);
  ref.fw.bytes(p, rec.length).set(rec);
  const n = x.cose_sign_update(p, rec.length);
  assert.ok(n > 0, `cose_sign_update ${n}`);
  return ref.fw.bytes(x.crypto_out(), n).slice();
}

test('an MNIST LR board capped at one page loads, trains, scores, signs and exports a whole round', () => {
  const b = device(1);
  const global = Kernel.initialModel(new FirmwareInstance(), LR);
  const kid = new TextEncoder().encode('dev-00042');
  for (let round = 1; round <= 2; round++) {
    b.kernel.load(global);                                       // the global model, in chunks
    const r = b.kernel.train(digits(200, round), { epochs: 2, batch: 8, lr: 0.5, seed: round });
    assert.equal(r.samples, 400);
    const trained = b.kernel.export();                           // in chunks
    assert.equal(trained.length, global.length);
    assert.notEqual(hex(trained), hex(global));
    const acc = b.kernel.evaluate(digits(50, 9)).accuracy;       // committee scoring
    assert.ok(acc >= 0 && acc <= 1);
    const f = { ...fields(trained, round), metrics: { loss_u: Math.round(r.loss * 1e6) } };
    const msg = b.signer.signUpdate(kid, f);
    assert.equal(hex(msg), hex(encodeSign1(protectedHeader(kid), encodeUpdate(f), msg.subarray(msg.length - 64))));
    assert.ok(verifySign1(parseSign1(msg, 1 << 20), ed25519PublicKey(b.signer.publicKey())), 'gateway verifier');
    assert.equal(hex(msg), hex(oldAbi(kid, f)), 'same bytes as cose_sign_update');
    assert.equal(b.fw.memory.buffer.byteLength, WASM_PAGE, 'still one page');
  }
  assert.ok(b.kernel.peakMemoryTotalBytes() <= WASM_PAGE);
});

test('signing from the kernel equals signing the exported blob, for every field shape and model shape', () => {
  const b = device(1);
  const specs: ModelSpec[] = [LR, { arch: 'logreg', inputs: 3, outputs: 3, seed: 1 }, { arch: 'linreg', inputs: 5, outputs: 1, seed: 2 },
    { arch: 'mlp', inputs: 20, hidden: 7, outputs: 4, seed: 4 }];
  for (const [si, spec] of specs.entries()) {
    const blob = Kernel.initialModel(new FirmwareInstance(), spec);
    for (let i = 0; i < 8; i++) {
      const kid = new TextEncoder().encode(['d', 'dev-1', 'device-' + 'x'.repeat(57)][i % 3]);
      const f = fields(blob, i + si);
      b.kernel.load(blob);
      const { model: _, ...rest } = f;
      const fromKernel = b.signer.signModelUpdate(kid, rest);
      assert.equal(hex(fromKernel), hex(oldAbi(kid, f)), `${spec.arch} case ${i}`);
      assert.equal(hex(b.signer.signUpdate(kid, f)), hex(fromKernel));
    }
  }
});

test('chunked load and ranged export are exact: any chunking gives the same model and bytes', () => {
  const fw = new FirmwareInstance(), k = new Kernel(fw), x = fw.exports;
  const blob = Kernel.initialModel(new FirmwareInstance(), MLP);
  const whole = () => { const n = x.kernel_export(); return fw.bytes(x.kernel_stream_ptr(), n).slice(); };
  for (const step of [1, 7, 24, 1000, 70001]) {
    const p = x.kernel_stream_reserve(24);
    fw.bytes(p, 24).set(blob.subarray(0, 24));
    assert.equal(x.kernel_load_begin(blob.length), 0);
    for (let off = 24; off < blob.length; off += step) {
      const n = Math.min(step, blob.length - off), q = x.kernel_stream_reserve(n);
      fw.bytes(q, n).set(blob.subarray(off, off + n));
      assert.equal(x.kernel_load_chunk(n), 0, `step ${step} at ${off}`);
    }
    assert.equal(x.kernel_load_end(), 0);
    assert.equal(hex(whole()), hex(blob), `step ${step}`);
    const parts: Uint8Array[] = [];
    for (let off = 0; off < blob.length; off += step) {
      const n = x.kernel_export_part(off, step);
      parts.push(fw.bytes(x.kernel_stream_ptr(), n).slice());
    }
    assert.equal(hex(Buffer.concat(parts)), hex(blob));
  }
  assert.equal(x.kernel_export_part(blob.length, 10), 0);
  assert.equal(x.kernel_export_part(blob.length + 1, 10), -4);
  assert.equal(x.kernel_export_part(-1, 10), -4);
  // mid-way through a mini-batch the int8 tensor lags the master copy; the blob comes from the master
  const d = digits(30, 2);
  assert.equal(x.kernel_train_begin(8, 20000, 5), 0);
  const p = x.kernel_stream_reserve(13 * 784 + 16);
  fw.bytes(p, 13 * 784).set(d.x.subarray(0, 13 * 784));
  fw.bytes(p + 13 * 784, 13).set(d.y.subarray(0, 13));
  assert.equal(x.kernel_train(13), 13);
  const mid = k.export();
  assert.equal(x.kernel_train_end(), 0);
  assert.equal(hex(k.export()), hex(mid));
  assert.notEqual(hex(mid), hex(blob));
  // a trained model round-trips too (load → export is the identity)
  k.train(d, { epochs: 1, batch: 4, lr: 0.3, seed: 1 });
  const t = k.export();
  k.load(t);
  assert.equal(hex(k.export()), hex(t));
});

test('chunked load errors: truncated, too long, out of order, bad pad byte, bad weights', () => {
  const fw = new FirmwareInstance(), k = new Kernel(fw), x = fw.exports;
  const blob = Kernel.initialModel(new FirmwareInstance(), { arch: 'logreg', inputs: 3, outputs: 3, seed: 1 }); // 9 weights: 2 pad bytes
  const begin = () => { const p = x.kernel_stream_reserve(24); fw.bytes(p, 24).set(blob.subarray(0, 24)); return x.kernel_load_begin(blob.length); };
  assert.equal(x.kernel_load_chunk(4), -5, 'chunk before begin');
  assert.equal(x.kernel_load_end(), -5, 'end before begin');
  assert.equal(begin(), 0);
  assert.equal(x.kernel_load_end(), -4, 'bytes missing');
  assert.equal(x.kernel_shape(0), -5, 'no model after a failed load');
  assert.equal(begin(), 0);
  assert.equal(x.kernel_load_chunk(blob.length), -4, 'more than the blob');
  assert.equal(x.kernel_load_begin(blob.length + 1), -4, 'length ≠ header');
  const { header, params } = decodeModel(blob);
  const good = encodeModel(header, params);
  const pad = good.slice(); pad[24 + 8 + 12 + 18] = 1;            // header, quant (8 + 4·3), 2·9 weight bytes, then pad
  assert.throws(() => k.load(pad), (e: unknown) => e instanceof FirmwareError && e.code === -10, 'non-zero pad');
  const w = good.slice(); w[24 + 20] = 0x80;                        // int8 weight −128
  assert.throws(() => k.load(w), (e: unknown) => e instanceof FirmwareError && e.code === -10, 'weight −128');
  k.load(good);
  assert.equal(hex(k.export()), hex(good));
});

test('a model that does not fit the cap still fails with E_TOO_LARGE, on load and through the signer', () => {
  const b = device(1);
  const mlp = Kernel.initialModel(new FirmwareInstance(), MLP);
  assert.throws(() => b.kernel.load(mlp), (e: unknown) => e instanceof FirmwareError && e.code === -9);
  // the signer falls back to the whole-message ABI, which does not fit either
  assert.throws(() => b.signer.signUpdate(new TextEncoder().encode('d'), fields(mlp, 1)), (e: unknown) => e instanceof FirmwareError && e.code === -9);
  assert.equal(b.fw.memory.buffer.byteLength, WASM_PAGE);
});

test('cose_update_read refuses once the model changed or another update was signed', () => {
  const b = device(), x = b.fw.exports;
  b.kernel.load(Kernel.initialModel(new FirmwareInstance(), { arch: 'logreg', inputs: 784, outputs: 10, seed: 5 }));
  const kid = new TextEncoder().encode('dev-3');
  const rec = encodeRecord(kid, fields(new Uint8Array(0), 1), false);
  const put = () => { const p = x.crypto_buf(rec.length); b.fw.bytes(p, rec.length).set(rec); return p; };
  assert.equal(x.cose_update_read(0, 16), -5, 'nothing signed yet');
  const n = x.cose_sign_model(put(), rec.length);
  assert.ok(n > 15000);
  assert.equal(x.cose_update_read(0, 16), 16);
  assert.equal(x.cose_update_read(n, 16), 0);
  assert.equal(x.cose_update_read(n + 1, 16), -4);
  assert.equal(x.cose_sign_model(put(), rec.length - 1), -4, 'truncated record');
  assert.equal(x.cose_update_read(0, 16), -5, 'a failed sign forgets the last message');
  assert.ok(x.cose_sign_model(put(), rec.length) > 0);
  b.kernel.train(digits(4, 1), { epochs: 1, batch: 2, lr: 0.5, seed: 1 });
  assert.equal(x.cose_update_read(0, 16), -5, 'trained since');
  assert.equal(new DeviceSigner(new FirmwareInstance()).fw.exports.cose_sign_model(0, 0), -5, 'no key');
  const noModel = device();
  const p = noModel.fw.exports.crypto_buf(rec.length);
  noModel.fw.bytes(p, rec.length).set(rec);
  assert.equal(noModel.fw.exports.cose_sign_model(p, rec.length), -5, 'no model');
});

test('DP in pieces (two passes under a 1-page cap) equals one dp_privatize over the whole vector', () => {
  const delta = new Int32Array(7850).map((_, i) => ((i * 7919) % 2001) - 1000);
  const noiseSeed = new Uint8Array(32).fill(11);
  for (const clip of [100_000, 1 << 30]) {                           // clipped, and not clipped
    const whole = device(), x = whole.fw.exports;
    whole.signer.seedNoise(noiseSeed.slice());
    const p = x.crypto_buf(delta.byteLength);
    whole.fw.bytes(p, delta.byteLength).set(new Uint8Array(delta.buffer));
    assert.equal(x.dp_privatize(p, delta.length, clip, 2500), 2500);
    const ref = new Int32Array(whole.fw.bytes(p, delta.byteLength).slice().buffer);
    const capped = device(1);
    capped.kernel.load(Kernel.initialModel(new FirmwareInstance(), LR)); // the model takes most of the page
    assert.ok(capped.fw.exports.crypto_buf_room() < delta.byteLength, 'the capped board takes the two-pass path');
    capped.signer.seedNoise(noiseSeed.slice());
    const r = capped.signer.privatize(delta, clip, 2.5);
    assert.equal(r.epsM, 2500);
    assert.deepEqual(Array.from(r.values), Array.from(ref), `clip ${clip}`);
    assert.equal(capped.signer.epsilonSpentM(), 2500);
    assert.equal(capped.fw.memory.buffer.byteLength, WASM_PAGE);
  }
  const x = device().fw.exports;
  assert.equal(x.dp_l1_add(x.crypto_buf(16), 4), -5, 'add before begin');
  assert.equal(x.dp_privatize_part(x.crypto_buf(16), 4), -5, 'part before begin');
  assert.equal(x.dp_l1_begin(), 0);
  assert.equal(x.dp_privatize_part(x.crypto_buf(16), 4), -5, 'part during the norm pass');
  assert.equal(x.dp_privatize_begin(0, 1000), -2, 'clip 0');
  assert.equal(x.dp_l1_add(x.crypto_buf(16) + 1, 4), -4, 'misaligned');
});

// Model blob: firmware export ↔ TypeScript codec, saturation, and typed rejection of bad blobs
// by both the codec and the firmware (which must stay usable afterwards).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FirmwareInstance } from '../boards/firmware/instance.js';
import { Kernel } from '../boards/firmware/kernel.js';
import { FirmwareError } from '../protocol/firmware-error.js';
import { decodeModel, encodeModel, sameShape, ModelFormatError, MAX_MODEL_BYTES, W_MASTER_MAX, BIAS_MAX, paramCount } from '../protocol/model-blob.js';

const spec = { arch: 'mlp' as const, inputs: 784, hidden: 32, outputs: 10, seed: 11 };

test('initial model is deterministic in the seed and round-trips through the codec', () => {
  const a = Kernel.initialModel(new FirmwareInstance(), spec);
  const b = Kernel.initialModel(new FirmwareInstance(), spec);
  const c = Kernel.initialModel(new FirmwareInstance(), { ...spec, seed: 12 });
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  assert.ok(a.length <= MAX_MODEL_BYTES);
  const { header, params } = decodeModel(a);
  assert.equal(params.length, paramCount(header));
  assert.equal(params.length, 784 * 32 + 32 + 32 * 10 + 10);
  assert.deepEqual(encodeModel(header, params), a);
  assert.ok(sameShape(header, decodeModel(c).header));
  // the firmware accepts what the codec writes, and exports it unchanged
  const fw = new FirmwareInstance();
  const k = new Kernel(fw);
  k.load(encodeModel(header, params));
  assert.deepEqual(k.export(), a);
});

test('encodeModel saturates params into their legal ranges and the firmware loads the result', () => {
  for (const arch of ['logreg', 'linreg'] as const) {
    const blob = Kernel.initialModel(new FirmwareInstance(), { arch, inputs: 20, outputs: arch === 'linreg' ? 1 : 3, seed: 1 });
    const { header, params } = decodeModel(blob);
    const wild = params.map((_, i) => (i % 3 === 0 ? 2 ** 31 - 1 : i % 3 === 1 ? -(2 ** 31) : i - 5));
    const enc = encodeModel(header, wild);
    const back = decodeModel(enc).params;
    back.forEach((v, i) => {
      const isBias = i >= 20 * header.outputs;
      const max = isBias ? BIAS_MAX : W_MASTER_MAX;
      assert.equal(v, Math.max(-max, Math.min(max, wild[i])));
    });
    const k = new Kernel(new FirmwareInstance());
    k.load(enc);
    assert.deepEqual(k.export(), enc);
  }
});

test('bad blobs: typed codec errors, firmware error codes, instance stays usable', () => {
  const good = Kernel.initialModel(new FirmwareInstance(), { arch: 'logreg', inputs: 16, outputs: 4, seed: 2 });
  const fw = new FirmwareInstance();
  const k = new Kernel(fw);
  const cases: [string, Uint8Array, number][] = [];
  const mut = (f: (b: Uint8Array, dv: DataView) => void) => { const b = good.slice(); f(b, new DataView(b.buffer)); return b; };
  cases.push(['bad magic', mut((b) => { b[0] ^= 1; }), -3]);
  cases.push(['bad version', mut((b) => { b[4] = 2; }), -3]);
  cases.push(['bad arch', mut((b) => { b[5] = 9; }), -3]);
  cases.push(['zero inputs', mut((_, dv) => dv.setUint16(8, 0, true)), -1]);
  cases.push(['truncated', good.slice(0, good.length - 1), -4]);
  cases.push(['extra byte', Uint8Array.from([...good, 0]), -4]);
  cases.push(['NaN scale', mut((_, dv) => dv.setFloat32(16, NaN, true)), -3]);
  cases.push(['weight -128', mut((b) => { b[24 + 8 + 16] = 0x80; }), -10]);
  for (const [name, blob, code] of cases) {
    assert.throws(() => decodeModel(blob), (e: unknown) => e instanceof ModelFormatError && e.code === code, name);
    assert.throws(() => k.load(blob), (e: unknown) => e instanceof FirmwareError && e.code === code && /code/.test(e.message), name);
  }
  assert.equal((() => { try { decodeModel(good.slice(0, 10)); } catch (e) { return (e as ModelFormatError).truncated; } })(), true);
  assert.equal((() => { try { decodeModel(cases[0][1]); } catch (e) { return (e as ModelFormatError).truncated; } })(), false);
  assert.throws(() => decodeModel(new Uint8Array(MAX_MODEL_BYTES + 1)), ModelFormatError);
  // still usable: a good blob loads and trains
  k.load(good);
  const d = { n: 8, dim: 16, x: new Uint8Array(128).fill(3), y: new Uint8Array(8), classes: 4 };
  assert.equal(k.train(d, { epochs: 1, batch: 4, lr: 0.1, seed: 1 }).samples, 8);
});

test('bad training input returns error codes, never traps', () => {
  const fw = new FirmwareInstance();
  const k = new Kernel(fw);
  assert.throws(() => k.train({ n: 1, dim: 4, x: new Uint8Array(4), y: new Uint8Array(1), classes: 2 }, { epochs: 1, batch: 1, lr: 0.1, seed: 1 }), (e: unknown) => e instanceof FirmwareError && e.code === -5);
  k.load(Kernel.initialModel(fw, { arch: 'logreg', inputs: 4, outputs: 3, seed: 1 }));
  const d = { n: 2, dim: 4, x: new Uint8Array(8), y: Uint8Array.from([0, 1]), classes: 3 };
  const bad = (o: object, code: number, dd = d) => assert.throws(() => k.train(dd, { epochs: 1, batch: 1, lr: 0.1, seed: 1, ...o }), (e: unknown) => e instanceof FirmwareError && e.code === code);
  bad({ batch: 0 }, -2);
  bad({ lr: 0 }, -2);
  bad({ lr: 100 }, -2);
  bad({ lr: NaN }, -2);
  bad({}, -1, { ...d, dim: 5, x: new Uint8Array(10) });
  bad({}, -2, { ...d, y: Uint8Array.from([0, 7]) }); // label ≥ outputs
  assert.equal(fw.exports.kernel_init(1, 784, 0, 10, 1), -1); // mlp without hidden
  assert.equal(fw.exports.kernel_init(0, 5000, 0, 10, 1), -1);
  assert.equal(fw.exports.kernel_init(7, 4, 0, 3, 1), -3);
  assert.equal(fw.exports.kernel_shape(1), 4); // a rejected init leaves the loaded model in place
  assert.equal(fw.exports.kernel_train_begin(1, 65536, 1), 0);
  assert.equal(fw.exports.kernel_train(1_000_000), -4); // beyond the stream
  assert.equal(fw.exports.kernel_train(-1), -1);
  assert.equal(fw.exports.kernel_train_end(), 0);
  assert.equal(k.train(d, { epochs: 1, batch: 1, lr: 0.1, seed: 1 }).samples, 2);
});

// Integer training: determinism across instances and build variants, accuracy against the
// float32 reference on the MNIST split the demo uses, linreg, and the memory budgets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FirmwareInstance } from '../boards/firmware/instance.js';
import { Kernel, type Arch } from '../boards/firmware/kernel.js';
import { loadMnist } from '../boards/data/mnist.js';
import { trainTestSplit } from '../boards/data/split.js';
import { FloatNet } from './kernel-float-ref.js';

const { train, test: held } = trainTestSplit(loadMnist(), 0.2, 1);

function trained(arch: Arch, variant: string, opts = { epochs: 1, batch: 32, lr: 0.5, seed: 3 }, d = train) {
  const fw = new FirmwareInstance(undefined, variant);
  const k = new Kernel(fw);
  k.load(Kernel.initialModel(fw, { arch, inputs: 784, hidden: 32, outputs: arch === 'linreg' ? 1 : 10, seed: 1 }));
  const r = k.train(d, opts);
  return { k, r, blob: k.export() };
}

test('training is deterministic: same seed → byte-identical blob on release, debug and simd builds', () => {
  const small = { ...train, n: 600 };
  for (const arch of ['logreg', 'mlp', 'linreg'] as const) {
    const o = { epochs: 2, batch: 16, lr: arch === 'linreg' ? 0.01 : 0.3, seed: 9 };
    const a = trained(arch, 'release', o, small), b = trained(arch, 'release', o, small), c = trained(arch, 'debug', o, small);
    assert.deepEqual(a.blob, b.blob, arch);
    assert.deepEqual(a.blob, c.blob, `${arch} debug build`);
    // the simd build keeps its weights in [in][out] order and updates 16 rows per vector
    assert.deepEqual(a.blob, trained(arch, 'simd', o, small).blob, `${arch} simd build`);
    assert.notDeepEqual(a.blob, trained(arch, 'release', { ...o, seed: 10 }, small).blob, `${arch} seed matters`);
  }
});

test('int8 logistic regression is within 0.5 points of float32, MLP within 1 point', () => {
  const cases = [
    { arch: 'logreg' as const, o: { epochs: 3, batch: 32, lr: 0.5, seed: 1 }, hidden: [] as number[], gap: 0.005 },
    { arch: 'mlp' as const, o: { epochs: 3, batch: 32, lr: 0.1, seed: 1 }, hidden: [32], gap: 0.01 },
  ];
  for (const c of cases) {
    const { k } = trained(c.arch, 'release', c.o);
    const int8 = k.evaluate(held).accuracy;
    const net = new FloatNet(784, c.hidden, 10, 1);
    net.train(train, c.o);
    const f32 = net.accuracy(held);
    assert.ok(int8 >= f32 - c.gap, `${c.arch}: int8 ${int8} vs float32 ${f32}`);
    assert.ok(int8 > 0.88, `${c.arch}: int8 accuracy ${int8}`);
  }
});

test('linreg head learns the digit value (MAE falls), with Q16 targets', () => {
  const fw = new FirmwareInstance();
  const k = new Kernel(fw);
  k.load(Kernel.initialModel(fw, { arch: 'linreg', inputs: 784, outputs: 1, seed: 1 }));
  const before = k.evaluate(held).mae;
  k.train(train, { epochs: 2, batch: 32, lr: 0.01, seed: 1 });
  const after = k.evaluate(held);
  assert.ok(after.mae < before && after.mae < 1.7, `MAE ${before} → ${after.mae}`);
  // explicit targets: t = 2·y in Q16 gives an MAE close to twice as large
  const t = Int32Array.from(held.y, (v) => v * 2 * 65536);
  assert.ok(k.evaluate({ ...held, t }).mae > after.mae);
});

test('peak linear memory (excluding the data stream) fits the budgets: LR ≤ 64 KiB, MLP ≤ 128 KiB', () => {
  const lr = trained('logreg', 'release', { epochs: 1, batch: 32, lr: 0.5, seed: 1 }, { ...train, n: 256 });
  const mlp = trained('mlp', 'release', { epochs: 1, batch: 32, lr: 0.2, seed: 1 }, { ...train, n: 256 });
  lr.k.evaluate({ ...held, n: 256 });
  // The budgets hold for the whole module: the peak is counted from address 0, so it includes
  // all static data below __heap_base (the crypto's Ed25519 tables are static memory).
  assert.ok(lr.k.peakMemoryBytes() <= 64 * 1024, `LR module ${lr.k.peakMemoryBytes()}`);
  assert.ok(mlp.k.peakMemoryBytes() <= 128 * 1024, `MLP module ${mlp.k.peakMemoryBytes()}`);
  assert.ok(lr.k.workingMemoryBytes() < lr.k.peakMemoryBytes());
  assert.ok(lr.k.peakMemoryBytes() > lr.k.workingMemoryBytes());
  assert.ok(lr.k.peakMemoryTotalBytes() > lr.k.peakMemoryBytes());
});

test('simd build equals release for odd shapes (tails, >16 rows, load/export in [out][in] order)', () => {
  const shapes = [
    { arch: 'mlp' as const, inputs: 50, hidden: 20, outputs: 3 },
    { arch: 'logreg' as const, inputs: 33, hidden: 0, outputs: 16 },
    { arch: 'linreg' as const, inputs: 17, hidden: 0, outputs: 5 },
  ];
  for (const s of shapes) {
    const n = 200, x = new Uint8Array(n * s.inputs), y = new Uint8Array(n);
    let r = 12345;
    const rnd = () => ((r = (Math.imul(r, 1103515245) + 12345) >>> 0) >>> 16);
    for (let i = 0; i < x.length; i++) x[i] = rnd() % 3 === 0 ? rnd() & 255 : 0;
    for (let i = 0; i < n; i++) y[i] = rnd() % (s.arch === 'linreg' ? 4 : s.outputs);
    const t = s.arch === 'linreg' ? Int32Array.from({ length: n * s.outputs }, (_, i) => (y[i / s.outputs | 0] + (i % s.outputs)) * 65536) : undefined;
    const d = { n, dim: s.inputs, x, y, classes: s.outputs, t };
    const blobs = ['release', 'simd'].map((variant) => {
      const fw = new FirmwareInstance(undefined, variant);
      const k = new Kernel(fw);
      const init = Kernel.initialModel(fw, { ...s, seed: 4 });
      k.load(init);
      assert.deepEqual(k.export(), init, `${s.arch} ${variant} load/export round trip`);
      k.train(d, { epochs: 2, batch: 8, lr: s.arch === 'linreg' ? 0.01 : 0.5, seed: 6 });
      return { blob: k.export(), out: k.infer(x.subarray(0, 10 * s.inputs), 10) };
    });
    assert.deepEqual(blobs[1].blob, blobs[0].blob, `${s.arch} ${s.inputs}→${s.hidden}→${s.outputs}`);
    assert.deepEqual(blobs[1].out, blobs[0].out, `${s.arch} inference`);
  }
});

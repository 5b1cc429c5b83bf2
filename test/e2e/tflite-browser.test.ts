// TFLite export, checked by TFLite itself: global models of real federated runs (LR and MLP,
// rounding 'single') are exported from the ledger, loaded by @tensorflow/tfjs-tflite in
// headless Chromium (test/browser/harness.ts), and every int8 output on the 2,000 held-out
// digits is compared with the firmware's forward pass. Also: a 'double'-rounding model, whose
// differences must each be explained by the builtin kernel's single rounding, and the
// 1-output regression head, which TFLite hands to XNNPACK. The page must stay on loopback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FirmwareInstance } from '../../boards/firmware/instance.js';
import { Kernel } from '../../boards/firmware/kernel.js';
import { decodeModel, encodeModel } from '../../protocol/model-blob.js';
import { blobToTflite } from '../../protocol/tflite/index.js';
import { ledgerModel } from '../../gateway/export/ledger-model.js';
import { loadMnist } from '../../boards/data/mnist.js';
import { trainTestSplit } from '../../boards/data/split.js';
import { startHarness, chromiumOrSkip, type Harness } from '../browser/harness.js';
import { runFederated } from '../../sim/run.js';
import { tempDir } from '../support/tmp.js';
import { referenceLayers, referenceInfer } from '../kernel-tflite-ref.js';

const CLI = join(process.cwd(), 'build', 'gateway', 'export', 'cli.js');

/** argmax per row, ties → lowest index (the firmware's rule). */
function top1(out: Int8Array, classes: number): Uint8Array {
  const n = out.length / classes, r = new Uint8Array(n);
  for (let s = 0; s < n; s++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (out[s * classes + c] > out[s * classes + best]) best = c;
    r[s] = best;
  }
  return r;
}
const mismatches = (a: Int8Array, b: Int8Array) => { let m = 0; for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) m++; return m; };

test('exported global models run bit-exactly in tfjs-tflite (headless Chromium)', async (t) => {
  const exe = chromiumOrSkip(t, 'the TFLite browser check');
  if (!exe) return;
  const tmp = tempDir('tflite-browser-');
  let h: Harness | undefined;
  try {
    // Two real federated runs (4 boards, 2 FedAvg rounds each), models in 'single' rounding.
    const fw = new FirmwareInstance();
    const runs: Record<string, { dir: string }> = {};
    const [harness] = await Promise.all([startHarness({ chromium: exe }), (async () => {
      for (const arch of ['logreg', 'mlp'] as const) {
        const dir = join(tmp.dir, arch);
        const r = await runFederated({ devices: 4, rounds: 2, alpha: 0.5, seed: 7, epochs: 1, roundTimeoutMs: 30_000, dataDir: dir,
          task: `mnist-${arch}`, model: { arch, hidden: 32, rounding: 'single' }, lr: arch === 'mlp' ? 0.1 : 0.5 });
        assert.equal(r.rounds, 2);
        runs[arch] = { dir };
      }
    })()]);
    h = harness;
    const { test: held } = trainTestSplit(loadMnist(), 0.2, 7); // the runs' held-out split
    assert.equal(held.n, 2000, 'the 2,000 held-out digits');
    const x8 = Int8Array.from(held.x, (v) => v - 128); // uint8 pixels shifted to int8 (zero point −128)

    for (const arch of ['logreg', 'mlp'] as const) {
      await t.test(`${arch}: 0 mismatches over 2,000 digits × 10 outputs on both WebAssembly builds, identical top-1 and accuracy`, async (st) => {
        // LR through the command line, MLP through the API: both read the ledger's content store
        const out = join(tmp.dir, `${arch}.tflite`);
        let file: Uint8Array, m = await ledgerModel(runs[arch].dir);
        if (arch === 'logreg') {
          const cli = spawnSync(process.execPath, [CLI, 'export', 'tflite', runs[arch].dir, '--out', out], { encoding: 'utf8' });
          assert.equal(cli.status, 0, cli.stderr);
          assert.match(cli.stdout, /round 2 .*rounding single/s);
          file = new Uint8Array(readFileSync(out));
          assert.deepEqual(file, blobToTflite(m.blob), 'the CLI writes what the API returns');
        } else file = blobToTflite(m.blob);
        assert.equal(m.round, 2);
        assert.equal(decodeModel(m.blob).header.rounding, 'single');
        const k = new Kernel(new FirmwareInstance());
        k.load(m.blob);
        const mine = k.infer(held.x, held.n);
        const r = await h!.run(file, x8, held.n);
        assert.deepEqual(r.types, ['int8', 'int8']);
        assert.deepEqual([r.inputShape, r.outputShape], ['1,784', '1,10']);
        assert.deepEqual(r.kernels, ['FULLY_CONNECTED'], 'TFLite ran its builtin kernel (not a delegate)');
        const mm = mismatches(mine, r.outputs);
        const a = top1(mine, 10), b = top1(r.outputs, 10);
        const acc = (p: Uint8Array) => p.reduce((s, v, i) => s + (v === held.y[i] ? 1 : 0), 0) / p.length;
        st.diagnostic(`${arch}: ${mm} of ${mine.length} int8 outputs differ (SIMD build); top-1 accuracy firmware ${acc(a)} / tfjs-tflite ${acc(b)} (kernel ${r.kernels.join(',')})`);
        assert.equal(mm, 0);
        assert.deepEqual(b, a);
        // the same on TFLite's baseline (non-SIMD) WebAssembly build
        const rb = await h!.run(file, x8, held.n, 'baseline');
        assert.deepEqual(rb.kernels, ['FULLY_CONNECTED']);
        assert.equal(mismatches(mine, rb.outputs), 0, 'baseline build');
        assert.ok(acc(a) > 0.7, `a trained model (${acc(a)})`);
      });
    }

    await t.test("a 'double'-rounding model: every difference is the builtin kernel's single rounding", async (st) => {
      const { header, params } = decodeModel((await ledgerModel(runs.mlp.dir)).blob);
      const blob = encodeModel({ ...header, rounding: 'double' }, params);
      const k = new Kernel(new FirmwareInstance());
      k.load(blob);
      const mine = k.infer(held.x, held.n);
      const r = await h!.run(blobToTflite(blob), x8, held.n);
      const L = referenceLayers(header, params);
      const single = referenceInfer(L, held.x, held.n, 'single'), double = referenceInfer(L, held.x, held.n, 'double');
      assert.deepEqual(mine, double, 'the firmware is the double-rounding reference');
      assert.deepEqual(r.outputs, single, 'tfjs-tflite is the single-rounding reference');
      st.diagnostic(`mlp with rounding double: ${mismatches(mine, r.outputs)} of ${mine.length} outputs differ, all explained by single vs double rounding`);
    });

    await t.test("the demo's ledger (`npm start`, rounding double): `npm run export` writes a file tfjs-tflite loads; differences explained", async (st) => {
      const dir = join(tmp.dir, 'demo');
      const demo = await runFederated({ devices: 2, rounds: 1, alpha: 0.5, seed: 7, epochs: 1, roundTimeoutMs: 20_000, dataDir: dir });
      assert.equal(demo.rounds, 1);
      const out = join(tmp.dir, 'demo.tflite');
      const cli = spawnSync(process.execPath, [CLI, 'export', 'tflite', dir, '--out', out], { encoding: 'utf8' });
      assert.equal(cli.status, 0, cli.stderr);
      const { header, params } = decodeModel((await ledgerModel(dir)).blob);
      assert.equal(header.rounding, 'double');
      const r = await h!.run(new Uint8Array(readFileSync(out)), x8, held.n);
      const k = new Kernel(new FirmwareInstance());
      k.load(encodeModel(header, params));
      const mine = k.infer(held.x, held.n);
      const L = referenceLayers(header, params);
      assert.deepEqual(r.outputs, referenceInfer(L, held.x, held.n, 'single'), 'tfjs-tflite = single-rounding reference');
      assert.deepEqual(mine, referenceInfer(L, held.x, held.n, 'double'), 'firmware = double-rounding reference');
      const same = top1(mine, 10).reduce((s, v, i) => s + (v === top1(r.outputs, 10)[i] ? 1 : 0), 0);
      st.diagnostic(`demo LR (double): ${mismatches(mine, r.outputs)} of ${mine.length} outputs differ by rounding; top-1 equal on ${same} of ${held.n}`);
    });

    await t.test('regression head (linreg, 1 output): TFLite delegates it to XNNPACK; differences stay within 1 LSB', async (st) => {
      const f2 = new FirmwareInstance(), k = new Kernel(f2);
      k.load(Kernel.initialModel(f2, { arch: 'linreg', inputs: 784, outputs: 1, seed: 7, rounding: 'single' }));
      const sub = { n: 2000, dim: 784, x: held.x, y: held.y, classes: 10 };
      k.train(sub, { epochs: 1, batch: 32, lr: 0.01, seed: 1 });
      const blob = k.export();
      const mine = k.infer(held.x, held.n);
      const r = await h!.run(blobToTflite(blob), x8, held.n);
      assert.deepEqual(r.outputShape, '1,1');
      const worst = mine.reduce((w, v, i) => Math.max(w, Math.abs(v - r.outputs[i])), 0);
      st.diagnostic(`linreg: ${mismatches(mine, r.outputs)} of ${mine.length} outputs differ (max ${worst} LSB), kernel ${r.kernels.join(',')}`);
      assert.ok(worst <= 1, `max difference ${worst} LSB`);
      assert.deepEqual(r.kernels, ['TfLiteXNNPackDelegate'], 'a one-channel (per-tensor-looking) FULLY_CONNECTED goes to XNNPACK');
    });

    await t.test('the page made no request outside the loopback server', () => {
      assert.ok(h!.requests.length >= 5, 'page, scripts, wasm and data were requested');
      const outside = h!.requests.filter((u) => !u.startsWith(h!.origin + '/') && !u.startsWith('blob:') && !u.startsWith('data:'));
      assert.deepEqual(outside, []);
      assert.deepEqual([...new Set(h!.wasmFiles())].sort(), ['tflite_web_api_cc.wasm', 'tflite_web_api_cc_simd.wasm'], 'both TFLite WebAssembly builds came from the server');
    });
  } finally {
    await h?.close();
    tmp.cleanup();
  }
});

// Training-kernel benchmark (issue 3 §8): int8 kernel (scalar and simd builds) vs TensorFlow.js
// and the float32 TypeScript reference, on the demo's MNIST split, one process, one core.
import { statSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { FirmwareInstance, firmwarePath } from '../boards/firmware/instance.js';
import { Kernel, type Arch, type Dataset, type TrainOptions } from '../boards/firmware/kernel.js';
import { loadMnist } from '../boards/data/mnist.js';
import { trainTestSplit } from '../boards/data/split.js';
import { FloatNet, permutation } from '../test/kernel-float-ref.js';
import { DeviceSigner, encodeRecord } from '../boards/firmware/signer.js';
import type { UpdateFields } from '../protocol/update.js';

type Log = (line: string) => void;
const LR_OPTS: TrainOptions = { epochs: 3, batch: 32, lr: 0.5, seed: 1 };
const MLP_OPTS: TrainOptions = { epochs: 3, batch: 32, lr: 0.1, seed: 1 };

/** A kernel with the model loaded; `extraPages` more pages give the stream room for 64-sample chunks. */
function kernelFor(arch: Arch, variant: string, extraPages = 0): Kernel {
  const fw = new FirmwareInstance(undefined, variant);
  const k = new Kernel(fw);
  k.load(Kernel.initialModel(fw, { arch, inputs: 784, hidden: 32, outputs: 10, seed: 1 }));
  if (extraPages) fw.memory.grow(extraPages); // more room in the stream: larger chunks
  return k;
}

/** Samples/s of Kernel.train (host staging included), best of 3 one-epoch runs. The host stages
 *  as many samples per call as the stream's room holds (≤ 64): 24 for LR in one page. */
function kernelThroughput(arch: Arch, variant: string, d: Dataset, o: TrainOptions): number {
  const k = kernelFor(arch, variant);
  k.train({ ...d, n: 500 }, { ...o, epochs: 1 }); // warm-up (JIT tiers)
  let best = 0;
  for (let r = 0; r < 3; r++) {
    const t = performance.now();
    k.train(d, { ...o, epochs: 1, seed: r + 2 });
    best = Math.max(best, d.n / ((performance.now() - t) / 1000));
  }
  return best;
}

/** Rates (per second) of several functions measured interleaved — 12 rounds of ~60 ms each,
 *  in turn — so a neighbour's load hits all of them alike and their ratios hold. */
function rates(fs: (() => void)[]): number[] {
  for (const f of fs) for (let i = 0; i < 20; i++) f(); // warm-up
  const n = fs.map(() => 0), ms = fs.map(() => 0);
  for (let r = 0; r < 12; r++) {
    fs.forEach((f, i) => {
      const t = performance.now();
      do { f(); n[i]++; } while (performance.now() - t < 60);
      ms[i] += performance.now() - t;
    });
  }
  return n.map((c, i) => c / (ms[i] / 1000));
}

/** Updates signed per second for the LR model (15,792-byte blob, a 15,975-byte COSE_Sign1):
 *  the whole-message ABI (cose_sign_update: record with the model in, message out, both in the
 *  stream) against signing the kernel's model (cose_sign_model: the payload serialised twice
 *  through SHA-512, the message read in pieces), and signUpdate (chunked load of the blob first).
 *  Also the linear memory a board holds after a round signed the new way. */
function signingThroughput() {
  const fw = new FirmwareInstance(), x = fw.exports;
  const k = new Kernel(fw), s = new DeviceSigner(fw);
  s.provision(new Uint8Array(32).fill(9));
  const model = Kernel.initialModel(new FirmwareInstance(), { arch: 'logreg', inputs: 784, outputs: 10, seed: 1 });
  const kid = new TextEncoder().encode('dev-00001');
  const f: UpdateFields = { task: 'mnist', round: 3, base: new Uint8Array(32), n: 100, model, ctr: 1, metrics: { loss_u: 2302585 } };
  k.load(model);
  const { model: _, ...rest } = f;
  s.signModelUpdate(kid, rest);
  const onePage = fw.memory.buffer.byteLength;
  const rec = encodeRecord(kid, f);
  const [fromKernel, withLoad, whole] = rates([() => s.signModelUpdate(kid, rest), () => s.signUpdate(kid, f), () => {
    const p = x.crypto_buf(rec.length);
    fw.bytes(p, rec.length).set(rec);
    const n = x.cose_sign_update(p, rec.length);
    fw.bytes(x.crypto_out(), n).slice();
  }]);
  return { fromKernel, withLoad, whole, onePage, wholePages: fw.memory.buffer.byteLength };
}

function floatThroughput(hidden: number[], d: Dataset, o: TrainOptions): number {
  const net = new FloatNet(784, hidden, 10, 1);
  const t = performance.now();
  net.train(d, { ...o, epochs: 1 });
  return d.n / ((performance.now() - t) / 1000);
}

/** TensorFlow.js: same model and SGD, wasm backend if it loads, else cpu. */
async function tfjsThroughput(hidden: number[], d: Dataset, o: TrainOptions, log: Log): Promise<{ sps: number; backend: string }> {
  const tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-backend-cpu');
  let backend = 'cpu';
  try {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const require = createRequire(import.meta.url);
    const dist = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), '/');
    wasm.setWasmPaths(dist.endsWith('/') ? dist : dist + '/');
    wasm.setThreadsCount?.(1);
    if (await tf.setBackend('wasm')) backend = 'wasm';
  } catch (e) { log(`tfjs wasm backend unavailable (${(e as Error).message}); using cpu`); }
  if (backend === 'cpu') await tf.setBackend('cpu');
  await tf.ready();
  const dims = [784, ...hidden, 10];
  const vars: ReturnType<typeof tf.variable>[] = [];
  for (let l = 0; l + 1 < dims.length; l++) {
    vars.push(tf.variable(tf.randomUniform([dims[l], dims[l + 1]], -0.05, 0.05)), tf.variable(tf.zeros([dims[l + 1]])));
  }
  // Explicit backward pass with tf ops (the ESM gradient registry of tfjs-core 4.x does not
  // resolve under Node ESM); the same matmuls autograd would issue, then a plain SGD step.
  const order = permutation(d.n, 1);
  const xs = new Float32Array(o.batch * 784), ys = new Float32Array(o.batch * 10);
  const step = (s0: number) => {
    const n = Math.min(o.batch, d.n - s0);
    ys.fill(0);
    for (let s = 0; s < n; s++) {
      const r = order[s0 + s];
      for (let i = 0; i < 784; i++) xs[s * 784 + i] = d.x[r * 784 + i] / 255;
      ys[s * 10 + d.y[r]] = 1;
    }
    tf.tidy(() => {
      const x = tf.tensor2d(xs.subarray(0, n * 784), [n, 784]), y = tf.tensor2d(ys.subarray(0, n * 10), [n, 10]);
      const acts: ReturnType<typeof tf.matMul>[] = [x];
      for (let l = 0; l < vars.length; l += 2) {
        const z = tf.add(tf.matMul(acts[acts.length - 1], vars[l]), vars[l + 1]);
        acts.push(l + 2 < vars.length ? tf.relu(z) : tf.softmax(z));
      }
      let g = tf.div(tf.sub(acts[acts.length - 1], y), n); // ∂(mean CE)/∂logits
      for (let l = vars.length - 2; l >= 0; l -= 2) {
        const a = acts[l / 2];
        const gw = tf.matMul(a, g, true, false), gb = tf.sum(g, 0);
        if (l > 0) g = tf.mul(tf.matMul(g, vars[l], false, true), tf.step(a));
        vars[l].assign(tf.sub(vars[l], tf.mul(gw, o.lr)));
        vars[l + 1].assign(tf.sub(vars[l + 1], tf.mul(gb, o.lr)));
      }
    });
  };
  for (let s = 0; s < 10 * o.batch; s += o.batch) step(s); // warm-up
  const t = performance.now();
  for (let s = 0; s < d.n; s += o.batch) step(s);
  const sps = d.n / ((performance.now() - t) / 1000);
  vars.forEach((v) => v.dispose());
  return { sps, backend };
}

function accuracy(arch: Arch, hidden: number[], o: TrainOptions, train: Dataset, test: Dataset) {
  const k = kernelFor(arch, 'release');
  k.train(train, o);
  const int8 = k.evaluate(test).accuracy;
  const net = new FloatNet(784, hidden, 10, o.seed);
  net.train(train, o);
  return { int8, f32: net.accuracy(test), peak: k.peakMemoryBytes(), working: k.workingMemoryBytes(), total: k.peakMemoryTotalBytes() };
}

export default {
  name: 'kernel',
  async run(log: Log) {
    const { train, test } = trainTestSplit(loadMnist(), 0.2, 1);
    const sub = { ...train, n: 2000 };
    const json: Record<string, number | string> = {};
    log('kernel throughput…');
    json.lr_train_samples_per_s = Math.round(kernelThroughput('logreg', 'release', train, LR_OPTS));
    json.mlp_train_samples_per_s = Math.round(kernelThroughput('mlp', 'release', train, MLP_OPTS));
    json.simd_lr_train_samples_per_s = Math.round(kernelThroughput('logreg', 'simd', train, LR_OPTS));
    json.simd_mlp_train_samples_per_s = Math.round(kernelThroughput('mlp', 'simd', train, MLP_OPTS));
    // chunks of 24 samples (what one page leaves the LR stream) against 64, interleaved
    const small = kernelFor('logreg', 'release'), big = kernelFor('logreg', 'release', 1), part = { ...train, n: 2000 };
    const [sps24, sps64] = rates([() => small.train(part, { ...LR_OPTS, epochs: 1 }), () => big.train(part, { ...LR_OPTS, epochs: 1 })]).map((r) => r * part.n);
    json.lr_train_64_chunk_samples_per_s = Math.round(sps64);
    json.lr_one_page_vs_64_chunk_ratio = +(sps24 / sps64).toFixed(2);
    log('update signing (LR model)…');
    const sg = signingThroughput();
    json.lr_update_sign_whole_message_per_s = Math.round(sg.whole);
    json.lr_update_sign_from_kernel_per_s = Math.round(sg.fromKernel);
    json.lr_update_sign_with_load_per_s = Math.round(sg.withLoad);
    json.lr_sign_from_kernel_vs_whole_ratio = +(sg.fromKernel / sg.whole).toFixed(2);
    json.lr_round_linear_memory_bytes = sg.onePage;
    json.lr_whole_message_linear_memory_bytes = sg.wholePages;
    log('float32 reference throughput…');
    json.f32_lr_train_samples_per_s = Math.round(floatThroughput([], sub, LR_OPTS));
    json.f32_mlp_train_samples_per_s = Math.round(floatThroughput([32], sub, MLP_OPTS));
    log('tensorflow.js throughput…');
    const tl = await tfjsThroughput([], sub, LR_OPTS, log);
    const tm = await tfjsThroughput([32], sub, MLP_OPTS, log);
    json.tfjs_backend = tl.backend;
    json.tfjs_lr_train_samples_per_s = Math.round(tl.sps);
    json.tfjs_mlp_train_samples_per_s = Math.round(tm.sps);
    json.lr_vs_tfjs_ratio = +(json.lr_train_samples_per_s / tl.sps).toFixed(2);
    json.mlp_vs_tfjs_ratio = +(json.mlp_train_samples_per_s / tm.sps).toFixed(2);
    json.simd_vs_scalar_lr_ratio = +(json.simd_lr_train_samples_per_s / json.lr_train_samples_per_s).toFixed(2);
    json.firmware_wasm_bytes = statSync(firmwarePath('release')).size;
    if (existsSync(firmwarePath('simd'))) json.simd_wasm_bytes = statSync(firmwarePath('simd')).size;
    log('accuracy (int8 vs float32, same split and hyper-parameters)…');
    const lr = accuracy('logreg', [], LR_OPTS, train, test);
    const mlp = accuracy('mlp', [32], MLP_OPTS, train, test);
    Object.assign(json, {
      lr_int8_accuracy: lr.int8, lr_f32_accuracy: lr.f32, mlp_int8_accuracy: mlp.int8, mlp_f32_accuracy: mlp.f32,
      lr_accuracy_gap_points: +((lr.f32 - lr.int8) * 100).toFixed(2), mlp_accuracy_gap_points: +((mlp.f32 - mlp.int8) * 100).toFixed(2),
      lr_peak_memory_bytes: lr.peak, mlp_peak_memory_bytes: mlp.peak,
      lr_kernel_memory_bytes: lr.working, mlp_kernel_memory_bytes: mlp.working,
      lr_peak_memory_with_stream_bytes: lr.total, mlp_peak_memory_with_stream_bytes: mlp.total,
    });
    const notes: string[] = [];
    if (json.lr_train_samples_per_s < 100_000) notes.push(`LR ${json.lr_train_samples_per_s}/s is ${(100 - json.lr_train_samples_per_s / 1000).toFixed(0)}% below the 100,000/s target`);
    if (json.lr_vs_tfjs_ratio < 5) notes.push(`LR is ${json.lr_vs_tfjs_ratio}× tfjs, target 5×`);
    if (json.simd_vs_scalar_lr_ratio < 4) notes.push(`simd is ${json.simd_vs_scalar_lr_ratio}× scalar, target 4× (${Math.round((1 - json.simd_vs_scalar_lr_ratio / 4) * 100)}% short): the scalar path is already input-sparse (~150 of 784 pixels), so simd only gains on the ~10 rows per non-zero input; the counter-based rounding hash, the non-zero gather and host staging (~0.5 µs/sample, shared by both) bound the ratio`);
    if (lr.peak > 65536) notes.push(`LR module peak ${lr.peak} B > 64 KiB (+${lr.peak - 65536} B): ${lr.peak - lr.working} B of module static data (crypto tables), kernel working memory ${lr.working} B`);
    if (mlp.peak > 131072) notes.push(`MLP module peak ${mlp.peak} B > 128 KiB (+${mlp.peak - 131072} B)`);
    json.notes = notes.join('; ') || 'all targets met';
    const f = (v: number | string) => (typeof v === 'number' && v < 1 && v > 0 ? v.toFixed(4) : String(v));
    const rows: [string, string, string][] = Object.entries(json).filter(([k]) => k !== 'notes').map(([k, v]) => [k, f(v), '']);
    rows.push(['notes', '', json.notes as string]);
    return { rows, json };
  },
};

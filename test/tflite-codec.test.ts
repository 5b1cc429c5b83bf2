// TFLite export and import without a browser: the exported flatbuffer read back field by field
// with the flatbuffers package's own ByteBuffer; export → import gives the same blob for every
// architecture and rounding mode; a converter-style file this toolkit did not write imports,
// infers like the TFLite reference and starts a federated task; unsupported operators, types
// and quantization schemes and malformed files are refused with clear errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ByteBuffer } from 'flatbuffers';
import { FirmwareInstance } from '../boards/firmware/instance.js';
import { Kernel } from '../boards/firmware/kernel.js';
import { decodeModel, encodeModel, ModelFormatError } from '../protocol/model-blob.js';
import { blobToTflite, tfliteToBlob, TfliteExportError, TfliteFormatError, TfliteUnsupportedError, MAX_TFLITE_BYTES } from '../protocol/tflite/index.js';
import { buildTflite, weightBytes, int32Bytes, INT8, INT32, UINT8, FLOAT32, INT16, OP, type TModel } from './support/tflite-builder.js';
import { quantizeMultiplier, fullyConnectedPerChannel } from './kernel-tflite-ref.js';
import { runFederated } from '../sim/run.js';
import { tempDir } from './support/tmp.js';
import { rng as mulberry } from './support/rng.js';

const CLI = join(process.cwd(), 'build', 'gateway', 'export', 'cli.js');

/** An integer generator in [lo, hi] (test/support/rng.ts). */
const rng = (seed: number) => mulberry(seed).int;

/** Minimal table access with the flatbuffers runtime (not the toolkit's reader). */
class FbTable {
  constructor(readonly bb: ByteBuffer, readonly pos: number) {}
  private off(slot: number) { return this.bb.__offset(this.pos, 4 + 2 * slot); }
  int(slot: number, size: 1 | 4 = 4, def = 0) { const o = this.off(slot); return o ? (size === 1 ? this.bb.readInt8(this.pos + o) : this.bb.readInt32(this.pos + o)) : def; }
  table(slot: number) { const o = this.off(slot); return o ? new FbTable(this.bb, this.bb.__indirect(this.pos + o)) : undefined; }
  str(slot: number) { const o = this.off(slot); return o ? this.bb.__string(this.pos + o) as string : undefined; }
  vec(slot: number) { const o = this.off(slot); return o ? { at: this.bb.__vector(this.pos + o), n: this.bb.__vector_len(this.pos + o) } : { at: 0, n: 0 }; }
  tables(slot: number) { const v = this.vec(slot); return Array.from({ length: v.n }, (_, i) => new FbTable(this.bb, this.bb.__indirect(v.at + 4 * i))); }
  i32s(slot: number) { const v = this.vec(slot); return Array.from({ length: v.n }, (_, i) => this.bb.readInt32(v.at + 4 * i)); }
  f32s(slot: number) { const v = this.vec(slot); return Array.from({ length: v.n }, (_, i) => this.bb.readFloat32(v.at + 4 * i)); }
  i64s(slot: number) { const v = this.vec(slot); return Array.from({ length: v.n }, (_, i) => Number(this.bb.readInt64(v.at + 8 * i))); }
  bytes(slot: number) { const v = this.vec(slot); return this.bb.bytes().slice(v.at, v.at + v.n); }
}

function trained(arch: 'logreg' | 'mlp' | 'linreg', rounding: 'double' | 'single'): Uint8Array {
  const fw = new FirmwareInstance(), k = new Kernel(fw);
  k.load(Kernel.initialModel(fw, { arch, inputs: 20, hidden: 6, outputs: arch === 'linreg' ? 2 : 4, seed: 3, rounding }));
  const r = rng(9), n = 200;
  const x = Uint8Array.from({ length: n * 20 }, () => r(0, 255));
  const y = Uint8Array.from({ length: n }, () => r(0, 3));
  const t = arch === 'linreg' ? Int32Array.from({ length: n * 2 }, () => r(-65536, 65536)) : undefined;
  k.train({ n, dim: 20, x, y, classes: 4, t }, { epochs: 2, batch: 8, lr: arch === 'linreg' ? 0.01 : 0.5, seed: 2 });
  return k.export();
}

test('the exported flatbuffer has the TFLite fields the runtime needs (read with the flatbuffers package)', () => {
  const blob = trained('mlp', 'single');
  const { header: h, params } = decodeModel(blob);
  const file = blobToTflite(blob);
  const bb = new ByteBuffer(file);
  assert.equal(bb.__has_identifier('TFL3'), true);
  const model = new FbTable(bb, bb.readInt32(0));
  assert.equal(model.int(0), 3, 'Model.version = 3');
  const buffers = model.tables(4);
  assert.equal(buffers[0].vec(0).n, 0, 'buffers[0] is the empty sentinel');
  const [code] = model.tables(1);
  assert.equal(code.int(3), 9, 'FULLY_CONNECTED');
  assert.equal(code.int(0, 1), 9);
  assert.equal(code.int(2, 4, 1), 4, 'op version 4 (int8)');
  const [sg] = model.tables(2);
  const tensors = sg.tables(0), ops = sg.tables(3);
  assert.equal(ops.length, 2);
  assert.deepEqual(sg.i32s(1), [0]);
  const quant = (t: FbTable) => { const q = t.table(4)!; return { scale: q.f32s(2), zp: q.i64s(3), dim: q.int(6) }; };
  const input = tensors[sg.i32s(1)[0]];
  assert.equal(input.int(1, 1), INT8);
  assert.deepEqual(input.i32s(0), [1, 20]);
  assert.deepEqual(quant(input), { scale: [Math.fround(h.inputScale)], zp: [-128], dim: 0 });
  let p = 0;
  ops.forEach((op, l) => {
    const [xi, wi, bi] = op.i32s(1), [yi] = op.i32s(2);
    const w = tensors[wi], b = tensors[bi], y = tensors[yi];
    const q = h.layers[l], out = q.weightScales.length, inp = l === 0 ? h.inputs : h.hidden;
    assert.equal(xi, l === 0 ? 0 : ops[0].i32s(2)[0], 'layers are chained');
    assert.equal(w.int(1, 1), INT8);
    assert.deepEqual(w.i32s(0), [out, inp]);
    assert.deepEqual(quant(w), { scale: q.weightScales.map(Math.fround), zp: Array(out).fill(0), dim: 0 }, 'per-channel symmetric weights');
    const wBytes = new Int8Array(buffers[w.int(2)].bytes(0).buffer);
    for (let i = 0; i < inp * out; i++) assert.equal(wBytes[i], (params[p + i] + 128) >> 8);
    p += inp * out;
    assert.equal(b.int(1, 1), INT32);
    const bias = new Int32Array(buffers[b.int(2)].bytes(0).buffer);
    assert.deepEqual(Array.from(bias), Array.from(params.subarray(p, p + out)));
    p += out;
    assert.deepEqual(quant(y), { scale: [Math.fround(q.outputScale)], zp: [q.outputZeroPoint], dim: 0 });
    const opts = op.table(4)!;
    assert.equal(op.int(3, 1), 8, 'FullyConnectedOptions');
    assert.equal(opts.int(0, 1), l === 0 ? 1 : 0, 'fused RELU on the hidden layer only');
  });
  assert.ok(buffers.every((bf) => bf.vec(0).n === 0 || bf.vec(0).at % 16 === 0), 'buffer data 16-aligned');
});

test('export → import returns the identical blob (masters, arch and rounding from the metadata)', () => {
  for (const arch of ['logreg', 'mlp', 'linreg'] as const) {
    for (const rounding of ['double', 'single'] as const) {
      const blob = trained(arch, rounding);
      const r = tfliteToBlob(blobToTflite(blob));
      assert.deepEqual(r.blob, blob, `${arch} ${rounding}`);
      assert.equal(r.fromToolkit, true);
      assert.deepEqual(r.dropped, []);
    }
  }
});

test('the exporter refuses blobs it cannot represent', () => {
  const blob = trained('logreg', 'double');
  const v2 = blob.slice(); v2[4] = 2;
  assert.throws(() => blobToTflite(v2), (e: unknown) => e instanceof TfliteExportError && /version 2/.test(e.message));
  const r3 = blob.slice(); r3[6] = 3;
  assert.throws(() => blobToTflite(r3), (e: unknown) => e instanceof ModelFormatError && /rounding mode 3/.test(e.message));
  assert.throws(() => blobToTflite(blob.subarray(0, 100)), (e: unknown) => e instanceof ModelFormatError && e.truncated);
});

/** A converter-style MLP: float32 [1,28,28] → QUANTIZE → RESHAPE → FC(RELU, per-tensor weights)
 *  → FC(per-channel) → SOFTMAX → DEQUANTIZE. Returns the file and the int8 operands. */
function converterMlp(seed: number, over: (m: TModel) => void = () => {}) {
  const r = rng(seed), H = 16, O = 10, I = 784;
  const w0 = Int8Array.from({ length: H * I }, () => (r(0, 3) === 0 ? r(-40, 40) : 0));
  const w1 = Int8Array.from({ length: O * H }, () => r(-127, 127));
  const b0 = Int32Array.from({ length: H }, () => r(-3000, 3000)), b1 = Int32Array.from({ length: O }, () => r(-2000, 2000));
  const sIn = Math.fround(1 / 255), sW0 = 0.003, sH = 0.05, sW1 = Array.from({ length: O }, () => 0.001 + r(0, 1000) / 1e5), sO = 0.2;
  const m: TModel = {
    tensors: [
      { name: 'serving_default_input_1:0', shape: [1, 28, 28], type: FLOAT32, batchDynamic: true },
      { name: 'quantize', shape: [1, 28, 28], type: INT8, scale: [sIn], zp: [-128] },
      { name: 'sequential/flatten/Reshape', shape: [1, 784], type: INT8, scale: [sIn], zp: [-128] },
      { name: 'sequential/flatten/Const', shape: [2], type: INT32, data: int32Bytes([-1, 784]) },
      { name: 'sequential/dense/MatMul', shape: [H, I], type: INT8, data: weightBytes(w0), scale: [sW0], zp: [0] },
      { name: 'sequential/dense/BiasAdd/ReadVariableOp', shape: [H], type: INT32, data: int32Bytes(b0), scale: [Math.fround(sIn) * Math.fround(sW0)], zp: [0] },
      { name: 'sequential/dense/Relu', shape: [1, H], type: INT8, scale: [sH], zp: [-128] },
      { name: 'sequential/dense_1/MatMul', shape: [O, H], type: INT8, data: weightBytes(w1), scale: sW1, zp: sW1.map(() => 0), dim: 0 },
      { name: 'sequential/dense_1/BiasAdd/ReadVariableOp', shape: [O], type: INT32, data: int32Bytes(b1), scale: sW1.map((s) => Math.fround(sH) * Math.fround(s)), zp: sW1.map(() => 0) },
      { name: 'sequential/dense_1/BiasAdd', shape: [1, O], type: INT8, scale: [sO], zp: [5] },
      { name: 'sequential/dense_1/Softmax', shape: [1, O], type: INT8, scale: [1 / 256], zp: [-128] },
      { name: 'StatefulPartitionedCall:0', shape: [1, O], type: FLOAT32 },
    ],
    ops: [
      { code: OP.QUANTIZE, inputs: [0], outputs: [1] },
      { code: OP.RESHAPE, inputs: [1, 3], outputs: [2], reshape: [-1, 784] },
      { code: OP.FULLY_CONNECTED, inputs: [2, 4, 5], outputs: [6], act: 1 },
      { code: OP.FULLY_CONNECTED, inputs: [6, 7, 8], outputs: [9], act: 0 },
      { code: OP.SOFTMAX, inputs: [9], outputs: [10] },
      { code: OP.DEQUANTIZE, inputs: [10], outputs: [11] },
    ],
    inputs: [0], outputs: [11],
  };
  over(m);
  return { file: buildTflite(m), w0, w1, b0, b1, sIn, sW0, sH, sW1, sO };
}

test('a converter-style .tflite (not written by this toolkit) imports, infers like the TFLite reference and starts a federated task', async () => {
  const f = converterMlp(4);
  const r = tfliteToBlob(f.file);
  assert.equal(r.fromToolkit, false);
  assert.deepEqual(r.dropped, ['QUANTIZE', 'RESHAPE', 'SOFTMAX', 'DEQUANTIZE']);
  const h = r.header;
  assert.deepEqual([h.arch, h.rounding, h.inputs, h.hidden, h.outputs], ['mlp', 'single', 784, 16, 10]);
  assert.deepEqual(h.layers[0].weightScales, Array(16).fill(Math.fround(f.sW0)), 'a per-tensor scale is broadcast to every channel');
  // the firmware's forward pass = reference FULLY_CONNECTED over the file's own int8 operands
  const k = new Kernel(new FirmwareInstance());
  k.load(r.blob);
  const rr = rng(1), n = 300;
  const x = Uint8Array.from({ length: n * 784 }, () => (rr(0, 2) === 0 ? rr(0, 255) : 0));
  const got = k.infer(x, n);
  const mq = (sIn: number, sW: number, sOut: number) => quantizeMultiplier(Math.fround(sIn) * Math.fround(sW) / Math.fround(sOut));
  const l0 = Array.from({ length: 16 }, () => mq(f.sIn, f.sW0, f.sH)), l1 = f.sW1.map((s) => mq(f.sH, s, f.sO));
  for (let s = 0; s < n; s++) {
    const xi = Int8Array.from(x.subarray(s * 784, (s + 1) * 784), (v) => v - 128);
    const hid = fullyConnectedPerChannel(xi, f.w0, f.b0, Int32Array.from(l0, (q) => q[0]), Int32Array.from(l0, (q) => q[1]), 784, 16, -128, -128, -128, 127, 'single');
    const out = fullyConnectedPerChannel(hid, f.w1, f.b1, Int32Array.from(l1, (q) => q[0]), Int32Array.from(l1, (q) => q[1]), 16, 10, -128, 5, -128, 127, 'single');
    assert.deepEqual(Array.from(got.subarray(s * 10, s * 10 + 10)), Array.from(out), `sample ${s}`);
  }
  // …and a federated task can start from it
  const tmp = tempDir('tflite-import-fl-');
  try {
    const run = await runFederated({ devices: 2, rounds: 1, alpha: 0.5, seed: 5, epochs: 1, roundTimeoutMs: 30_000, dataDir: tmp.dir,
      task: 'from-tflite', model: { initial: r.blob }, lr: 0.1 });
    assert.equal(run.summaries.length, 1);
    assert.equal(run.summaries[0].accepted.length, 2, 'both boards trained the imported model');
  } finally {
    tmp.cleanup();
  }
});

test('single-layer files: arch from SOFTMAX, from one output, or from the option; deprecated-only operator codes', () => {
  const r = rng(3), I = 12;
  const one = (outs: number, softmax: boolean, deprecatedCodesOnly = false): TModel => ({
    tensors: [
      { name: 'x', shape: [1, I], type: INT8, scale: [0.01], zp: [-128] },
      { name: 'w', shape: [outs, I], type: INT8, data: weightBytes(Array.from({ length: outs * I }, () => r(-100, 100))), scale: Array(outs).fill(0.02), zp: Array(outs).fill(0) },
      { name: 'y', shape: [1, outs], type: INT8, scale: [0.1], zp: [0] },
      { name: 'p', shape: [1, outs], type: INT8, scale: [1 / 256], zp: [-128] },
    ],
    ops: [{ code: OP.FULLY_CONNECTED, inputs: [0, 1, -1], outputs: [2] }, ...(softmax ? [{ code: OP.SOFTMAX, inputs: [2], outputs: [3] }] : [])],
    inputs: [0], outputs: [softmax ? 3 : 2], deprecatedCodesOnly,
  });
  assert.equal(tfliteToBlob(buildTflite(one(3, true))).header.arch, 'logreg');
  assert.equal(tfliteToBlob(buildTflite(one(1, false))).header.arch, 'linreg');
  assert.equal(tfliteToBlob(buildTflite(one(3, false))).header.arch, 'logreg');
  assert.equal(tfliteToBlob(buildTflite(one(3, false)), { arch: 'linreg', rounding: 'double' }).header.arch, 'linreg');
  assert.equal(tfliteToBlob(buildTflite(one(3, false, true))).header.rounding, 'single');
  const { params } = decodeModel(tfliteToBlob(buildTflite(one(3, false))).blob);
  assert.ok(params.subarray(3 * I).every((b) => b === 0), 'no bias tensor (−1) → zero biases');
});

test('unsupported operators, types and quantization schemes are refused, naming what does not fit', () => {
  const refuse = (over: (m: TModel) => void, re: RegExp) => {
    assert.throws(() => tfliteToBlob(converterMlp(4, over).file), (e: unknown) => e instanceof TfliteUnsupportedError && re.test(e.message), String(re));
  };
  refuse((m) => { m.ops[2].code = OP.CONV_2D; }, /unsupported operator CONV_2D \(operator 2\)/);
  refuse((m) => { m.ops[4] = { code: OP.CUSTOM, inputs: [9], outputs: [10], custom: 'MyOp' }; }, /custom operator "MyOp"/);
  refuse((m) => { m.tensors[4].type = UINT8; }, /uint8 \(the legacy asymmetric scheme\)/);
  refuse((m) => { m.tensors[7].type = FLOAT32; }, /float32: the model is not integer-quantized/);
  refuse((m) => { m.tensors[7].zp = m.tensors[7].scale!.map(() => 3); }, /asymmetric \(zero point ≠ 0\)/);
  refuse((m) => { m.tensors[7].dim = 1; }, /quantized along dimension 1/);
  refuse((m) => { m.tensors[1].zp = [0]; m.tensors[2].zp = [0]; }, /input zero point is 0/);
  refuse((m) => { m.tensors[6].zp = [0]; }, /hidden activation zero point is 0/);
  refuse((m) => { m.tensors[6].type = INT16; }, /INT16; the kernel's activations are int8/);
  refuse((m) => { m.ops[2].act = 3; }, /fused activation RELU6/);
  refuse((m) => { m.ops[3].act = 1; }, /last FULLY_CONNECTED has a fused RELU/);
  refuse((m) => { m.ops[2].weightsFormat = 1; }, /shuffled weights/);
  refuse((m) => { const w = new Uint8Array(m.tensors[7].data!); w[5] = 0x80; m.tensors[7].data = w; }, /hold −128 at \[0\]\[5\]/);
  refuse((m) => { m.tensors[5].data = int32Bytes(Array(16).fill(1 << 29)); }, /exceeds the kernel's ±2\^28/);
  refuse((m) => { m.tensors[5].scale = [1e-3]; }, /bias .* scale/);
  refuse((m) => { m.subgraphs = 2; }, /2 subgraphs/);
  refuse((m) => { m.version = 2; }, /schema version 2/);
  refuse((m) => { m.ops[3].inputs = [2, 7, 8]; }, /does not consume the previous operator's output/);
  refuse((m) => {
    // a third FULLY_CONNECTED layer
    m.tensors.push({ name: 'w2', shape: [10, 10], type: INT8, data: new Uint8Array(100), scale: [0.01], zp: [0] }, { name: 'y2', shape: [1, 10], type: INT8, scale: [0.1], zp: [0] });
    m.ops.splice(4, 0, { code: OP.FULLY_CONNECTED, inputs: [9, 12, -1], outputs: [13] });
    m.ops[5].inputs = [13];
  }, /3 FULLY_CONNECTED layers/);
});

test('malformed files: wrong identifier, truncation (flagged), bad offsets, size limit', () => {
  const { file } = converterMlp(4);
  assert.throws(() => tfliteToBlob(converterMlp(4, (m) => { m.identifier = 'ABCD'; }).file), (e: unknown) => e instanceof TfliteFormatError && /identifier "ABCD"/.test(e.message) && !e.truncated);
  for (const cut of [4, 100, Math.floor(file.length / 2), file.length - 8]) {
    assert.throws(() => tfliteToBlob(file.subarray(0, cut)), (e: unknown) => (e instanceof TfliteFormatError && e.truncated) || e instanceof TfliteUnsupportedError, `cut at ${cut}`);
  }
  assert.throws(() => tfliteToBlob(file.subarray(0, 100)), (e: unknown) => e instanceof TfliteFormatError && e.truncated);
  const bad = file.slice(); new DataView(bad.buffer).setUint32(0, 0x7ffffff0, true);
  assert.throws(() => tfliteToBlob(bad), (e: unknown) => e instanceof TfliteFormatError);
  // a vtable claiming a huge vector
  const r = rng(8);
  for (let i = 0; i < 200; i++) {
    const fuzz = file.slice();
    for (let j = 0; j < 4; j++) fuzz[r(0, fuzz.length - 1)] = r(0, 255);
    try { tfliteToBlob(fuzz); } catch (e) {
      assert.ok(e instanceof TfliteFormatError || e instanceof TfliteUnsupportedError || e instanceof ModelFormatError, `fuzz ${i}: ${(e as Error).name}: ${(e as Error).message}`);
    }
  }
  assert.throws(() => tfliteToBlob(new Uint8Array(MAX_TFLITE_BYTES + 1)), /exceeds/);
});

test('npm run import -- tflite: writes the blob; clear errors and exit codes', () => {
  const tmp = tempDir('tflite-cli-');
  try {
    const src = join(tmp.dir, 'conv.tflite'), out = join(tmp.dir, 'conv.blob');
    writeFileSync(src, converterMlp(4).file);
    const ok = spawnSync(process.execPath, [CLI, 'import', 'tflite', src, '--out', out], { encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /mlp 784→16→10, rounding single, dropped QUANTIZE, RESHAPE, SOFTMAX, DEQUANTIZE/);
    assert.deepEqual(new Uint8Array(readFileSync(out)), tfliteToBlob(converterMlp(4).file).blob);
    writeFileSync(src, converterMlp(4, (m) => { m.ops[2].code = OP.CONV_2D; }).file);
    const bad = spawnSync(process.execPath, [CLI, 'import', 'tflite', src, '--out', out], { encoding: 'utf8' });
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /TfliteUnsupportedError: unsupported operator CONV_2D/);
    assert.equal(spawnSync(process.execPath, [CLI, 'import', 'onnx', src], { encoding: 'utf8' }).status, 2);
    const none = spawnSync(process.execPath, [CLI, 'export', 'tflite', tmp.dir], { encoding: 'utf8' });
    assert.equal(none.status, 1);
    assert.match(none.stderr, /no ledger in/);
  } finally {
    tmp.cleanup();
  }
});

test('encodeModel of an imported header is stable (re-import of a re-export)', () => {
  const a = tfliteToBlob(converterMlp(6).file).blob;
  const b = tfliteToBlob(blobToTflite(a)).blob;
  assert.deepEqual(b, a);
  assert.deepEqual(encodeModel(decodeModel(a).header, decodeModel(a).params), a);
});

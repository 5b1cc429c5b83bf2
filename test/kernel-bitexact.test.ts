// Bit-exactness of the firmware's integer forward pass against an independent TypeScript
// model of TFLite's reference FULLY_CONNECTED arithmetic (test/kernel-tflite-ref.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FirmwareInstance } from '../boards/firmware/instance.js';
import { Kernel } from '../boards/firmware/kernel.js';
import { decodeModel } from '../protocol/model-blob.js';
import { multiplyByQuantizedMultiplier, quantizeMultiplier, fullyConnectedPerChannel, saturatingRoundingDoublingHighMul, roundingDivideByPOT } from './kernel-tflite-ref.js';
import { rng } from './support/rng.js';
import { runMbqm } from './support/firmware-conf.js';

const INT32_MIN = -2147483648, INT32_MAX = 2147483647;

test('reference helpers agree with hand-computed values', () => {
  // 0.5·0.5 in Q31 → 0.25; rounding of halves away from zero
  assert.equal(saturatingRoundingDoublingHighMul(1 << 30, 1 << 30), 1 << 29);
  assert.equal(saturatingRoundingDoublingHighMul(INT32_MIN, INT32_MIN), INT32_MAX);
  assert.equal(roundingDivideByPOT(5, 1), 3);
  assert.equal(roundingDivideByPOT(-5, 1), -3);
  assert.equal(roundingDivideByPOT(-7, 2), -2);
  assert.deepEqual(quantizeMultiplier(0.5), [1 << 30, 0]);
  assert.deepEqual(quantizeMultiplier(0.75), [0x60000000, 0]);
});

test('MultiplyByQuantizedMultiplier: 1,000,000 randomized cases, bit-exact', () => {
  const fw = new FirmwareInstance();
  const r = rng(20240601);
  const BATCH = 50_000;
  let total = 0;
  for (let b = 0; b < 20; b++) {
    const cases = new Int32Array(3 * BATCH);
    const expect = new Int32Array(BATCH);
    for (let i = 0; i < BATCH; i++) {
      const shift = r.int(-31, 30);
      const kind = r.u32() % 4;
      // quantized multipliers are normalised into [2^30, 2^31); a quarter are arbitrary int32
      const qm = kind === 0 ? r.i32() : r.int(1 << 30, INT32_MAX);
      const lim = shift > 0 ? 2 ** (31 - shift) - 1 : INT32_MAX;
      const bits = r.int(0, 31);
      let x = r.i32() % (2 ** bits); // spread magnitudes over every bit length
      if (Math.abs(x) > lim) x = x % lim;
      cases[3 * i] = x; cases[3 * i + 1] = qm; cases[3 * i + 2] = shift;
      expect[i] = multiplyByQuantizedMultiplier(x, qm, shift);
    }
    const got = runMbqm(fw, cases);
    for (let i = 0; i < BATCH; i++) {
      if (got[i] !== expect[i]) assert.fail(`case x=${cases[3 * i]} qm=${cases[3 * i + 1]} shift=${cases[3 * i + 2]}: firmware ${got[i]}, reference ${expect[i]}`);
    }
    total += BATCH;
  }
  assert.ok(total >= 1_000_000);
});

test('MultiplyByQuantizedMultiplier edge cases: extreme shifts, saturation, rounding ties', () => {
  const fw = new FirmwareInstance();
  const list: [number, number, number][] = [];
  for (const x of [0, 1, -1, 2, -2, 3, -3, INT32_MAX, INT32_MIN, 0x40000000, -0x40000000, 0x60000000, -0x60000000, 12345678, -12345678]) {
    for (const qm of [INT32_MAX, 1 << 30, INT32_MIN, 1, -1, 0x5a827999]) {
      for (const shift of [-31, -30, -16, -1, 0]) list.push([x, qm, shift]);
    }
  }
  // positive shifts at the largest x that does not overflow the left shift
  for (const shift of [1, 15, 30]) for (const s of [1, -1]) list.push([s * (2 ** (31 - shift) - 1), INT32_MAX, shift], [s, 1 << 30, shift]);
  // exact halves at every right shift: x·qm/2^31 = x/2 with qm = 2^30
  for (let e = 1; e <= 31; e++) for (const s of [1, -1]) list.push([s * (3 * 2 ** (e - 1)) | 0, INT32_MAX, -e], [s * 2 ** e | 0, 1 << 30, -e]);
  const cases = Int32Array.from(list.flat());
  const got = runMbqm(fw, cases);
  list.forEach(([x, qm, shift], i) => assert.equal(got[i], multiplyByQuantizedMultiplier(x, qm, shift), `x=${x} qm=${qm} shift=${shift}`));
  // the doubling-high-mul saturation case itself
  assert.equal(got[list.findIndex(([x, qm, s]) => x === INT32_MIN && qm === INT32_MIN && s === 0)], INT32_MAX);
});

test('QuantizeMultiplier: random reals and the corner cases (rounds to 2^31, tiny, huge)', () => {
  const fw = new FirmwareInstance();
  const q = (m: number): [number, number] => [fw.exports.kernel_conf_quantize_multiplier(m), fw.exports.kernel_conf_last_shift()];
  const r = rng(7);
  for (let i = 0; i < 20000; i++) {
    const m = (r.u32() / 2 ** 32 + 1e-9) * 2 ** r.int(-40, 35);
    assert.deepEqual(q(m), quantizeMultiplier(m), `m=${m}`);
  }
  const roundsUp = 1 - 2 ** -33; // mantissa·2^31 rounds to exactly 2^31
  assert.deepEqual(q(roundsUp), [1 << 30, 1]);
  assert.deepEqual(quantizeMultiplier(roundsUp), [1 << 30, 1]);
  assert.deepEqual(q(2 ** -40), [0, 0]);
  assert.deepEqual(q(2 ** 40), [INT32_MAX, 30]);
  assert.deepEqual(q(0), [0, 0]);
});

test('per-channel FULLY_CONNECTED: 200,000 randomized outputs, bit-exact', () => {
  const fw = new FirmwareInstance();
  const r = rng(99);
  let outputs = 0;
  while (outputs < 200_000) {
    const nIn = r.int(1, 96), nOut = r.int(1, 16), batches = r.int(1, 16);
    const inZp = r.int(-128, 127), outZp = r.int(-128, 127);
    const actMin = r.int(-128, 0), actMax = r.int(actMin, 127);
    const input = Int8Array.from({ length: batches * nIn }, () => r.int(-128, 127));
    const filter = Int8Array.from({ length: nIn * nOut }, () => r.int(-127, 127));
    const bias = Int32Array.from({ length: nOut }, () => r.int(-(1 << 20), 1 << 20));
    const mult = new Int32Array(nOut), shift = new Int32Array(nOut);
    for (let c = 0; c < nOut; c++) {
      // realistic effective scales s_in·s_w/s_out, plus occasional extreme ones
      const m = r.u32() % 16 === 0 ? 2 ** r.int(-45, 3) : (r.u32() / 2 ** 32 + 1e-6) * 2 ** r.int(-14, -4);
      [mult[c], shift[c]] = quantizeMultiplier(m);
      if (shift[c] > 0) shift[c] = 0; // keep the C++ left shift free of overflow
    }
    const a4 = (v: number) => (v + 3) & ~3;
    const off = { filter: a4(batches * nIn) };
    const o2 = off.filter + a4(nIn * nOut), o3 = o2 + 4 * nOut, o4 = o3 + 4 * nOut, o5 = o4 + 4 * nOut;
    const p = fw.exports.kernel_stream_reserve(o5 + batches * nOut);
    const mem = new Uint8Array(fw.memory.buffer);
    mem.set(new Uint8Array(input.buffer), p);
    mem.set(new Uint8Array(filter.buffer), p + off.filter);
    mem.set(new Uint8Array(bias.buffer), p + o2);
    mem.set(new Uint8Array(mult.buffer), p + o3);
    mem.set(new Uint8Array(shift.buffer), p + o4);
    assert.equal(fw.exports.kernel_conf_fc(batches, nIn, nOut, inZp, outZp, actMin, actMax), batches * nOut);
    const got = new Int8Array(fw.memory.buffer, p + o5, batches * nOut);
    for (let b = 0; b < batches; b++) {
      const want = fullyConnectedPerChannel(input.subarray(b * nIn, (b + 1) * nIn), filter, bias, mult, shift, nIn, nOut, inZp, outZp, actMin, actMax);
      for (let c = 0; c < nOut; c++) if (got[b * nOut + c] !== want[c]) assert.fail(`FC mismatch nIn=${nIn} nOut=${nOut} b=${b} c=${c}`);
    }
    outputs += batches * nOut;
  }
});

test('model inference (kernel_infer) equals the reference FC built from the decoded blob', () => {
  for (const arch of ['logreg', 'mlp'] as const) {
    const fw = new FirmwareInstance();
    const k = new Kernel(fw);
    k.load(Kernel.initialModel(fw, { arch, inputs: 64, hidden: 16, outputs: 10, seed: 3 }));
    const r = rng(5);
    const n = 300;
    const x = Uint8Array.from({ length: n * 64 }, () => (r.u32() % 3 === 0 ? r.int(0, 255) : 0));
    const y = Uint8Array.from({ length: n }, () => r.int(0, 9));
    k.train({ n, dim: 64, x, y, classes: 10 }, { epochs: 2, batch: 8, lr: 0.5, seed: 1 });
    const { header, params } = decodeModel(k.export());
    const got = k.infer(x, n);
    // rebuild int8 tensors and multipliers independently from the blob's header and params
    let p = 0, inp = header.inputs, inScale = header.inputScale, inZp = header.inputZeroPoint;
    const layers = header.layers.map((q, l) => {
      const out = q.weightScales.length;
      const w = new Int8Array(inp * out);
      for (let i = 0; i < w.length; i++) w[i] = (params[p++] + 128) >> 8;
      const b = Int32Array.from({ length: out }, () => params[p++]);
      const mult = new Int32Array(out), shift = new Int32Array(out);
      q.weightScales.forEach((s, c) => { [mult[c], shift[c]] = quantizeMultiplier((inScale * s) / q.outputScale); });
      const hidden = l < header.layers.length - 1;
      const layer = { w, b, mult, shift, nIn: inp, nOut: out, inZp, outZp: q.outputZeroPoint, actMin: hidden ? q.outputZeroPoint : -128 };
      inp = out; inScale = q.outputScale; inZp = q.outputZeroPoint;
      return layer;
    });
    for (let s = 0; s < n; s++) {
      let a: Int8Array<ArrayBufferLike> = Int8Array.from(x.subarray(s * 64, s * 64 + 64), (v) => v - 128);
      for (const L of layers) a = fullyConnectedPerChannel(a, L.w, L.b, L.mult, L.shift, L.nIn, L.nOut, L.inZp, L.outZp, L.actMin, 127);
      assert.deepEqual(Array.from(got.subarray(s * 10, s * 10 + 10)), Array.from(a), `${arch} sample ${s}`);
    }
  }
});

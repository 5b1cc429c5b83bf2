// The model header's rounding mode (docs/model-format.md "Rounding"): the firmware's
// single-rounding MultiplyByQuantizedMultiplier against the independent TypeScript reference,
// ties in both modes, and whole-model inference of 'single' blobs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FirmwareInstance } from '../boards/firmware/instance.js';
import { Kernel } from '../boards/firmware/kernel.js';
import { FirmwareError } from '../protocol/firmware-error.js';
import { decodeModel, encodeModel, sameShape, ModelFormatError, type ModelHeader } from '../protocol/model-blob.js';
import { multiplyByQuantizedMultiplier, multiplyByQuantizedMultiplierSingle, referenceLayers, referenceInfer } from './kernel-tflite-ref.js';
import { rng } from './support/rng.js';
import { runMbqm } from './support/firmware-conf.js';

const INT32_MAX = 2147483647;

test('single rounding rounds x·M once, ties toward +∞; double rounding rounds twice, the second time away from zero', () => {
  // x·q / 2^t with q = 2^30, shift 0 (t = 31): x = ±1 is exactly ±0.5
  assert.equal(multiplyByQuantizedMultiplierSingle(1, 1 << 30, 0), 1);
  assert.equal(multiplyByQuantizedMultiplierSingle(-1, 1 << 30, 0), 0);
  // −2·0.5·2^-1 = −0.5: SRDHM gives round(−1) = −1, RoundingDivideByPOT(−1, 1) = −1 (away from zero)
  assert.equal(multiplyByQuantizedMultiplier(-2, 1 << 30, -1), -1);
  assert.equal(multiplyByQuantizedMultiplierSingle(-2, 1 << 30, -1), 0);
  // 3·0.5·2^-2 = 0.375: double rounding takes round(1.5) = 2 first, then 2/4 = 0.5 → 1; single → 0
  assert.equal(multiplyByQuantizedMultiplier(3, 1 << 30, -2), 1);
  assert.equal(multiplyByQuantizedMultiplierSingle(3, 1 << 30, -2), 0);
  const fw = new FirmwareInstance();
  const cases = Int32Array.from([1, 1 << 30, 0, -2, 1 << 30, -1, 3, 1 << 30, -2]);
  assert.deepEqual(Array.from(runMbqm(fw, cases, 1)), [1, 0, 0]);
  assert.deepEqual(Array.from(runMbqm(fw, cases, 0)), [1, -1, 1]);
  assert.ok(fw.exports.kernel_conf_mbqm(1, 2) < 0, 'unknown mode is refused');
});

test('single-rounding MultiplyByQuantizedMultiplier: 300,000 randomized cases, bit-exact', () => {
  const fw = new FirmwareInstance();
  const r = rng(17);
  for (let b = 0; b < 6; b++) {
    const n = 50_000;
    const cases = new Int32Array(3 * n);
    for (let i = 0; i < n; i++) {
      const shift = r.int(-31, 30);
      const qm = r.u32() % 4 === 0 ? r.int(0, INT32_MAX) : r.int(1 << 30, INT32_MAX);
      // accumulators of every magnitude; with shift > 0 small enough not to matter for i64
      const x = r.u32() % 3 === 0 ? r.i32() : r.int(-(1 << 24), 1 << 24);
      cases.set([x, qm, shift], 3 * i);
    }
    const got = runMbqm(fw, cases, 1);
    for (let i = 0; i < n; i++) {
      const want = multiplyByQuantizedMultiplierSingle(cases[3 * i], cases[3 * i + 1], cases[3 * i + 2]);
      if (got[i] !== want) assert.fail(`case ${i}: mbqm1(${cases[3 * i]}, ${cases[3 * i + 1]}, ${cases[3 * i + 2]}) = ${got[i]}, want ${want}`);
    }
  }
});

/** A tie-heavy header: every layer's M = s_in·s_w / s_out = 2^-5 exactly, so accumulators ≡ 16 (mod 32) are ties. */
function tieHeader(arch: 'logreg' | 'mlp', rounding: 'double' | 'single'): ModelHeader {
  const outScale = 2 ** -10;
  return {
    version: 1, arch, rounding, inputs: 32, hidden: arch === 'mlp' ? 8 : 0, outputs: 4, inputScale: 2 ** -8, inputZeroPoint: -128,
    layers: arch === 'mlp'
      ? [{ outputScale: outScale, outputZeroPoint: -128, weightScales: Array(8).fill(2 ** -7) },
         { outputScale: 2 ** -9, outputZeroPoint: 3, weightScales: Array(4).fill(2 ** -4) }]
      : [{ outputScale: outScale, outputZeroPoint: -5, weightScales: Array(4).fill(2 ** -7) }],
  };
}

test('kernel_infer follows the header rounding mode (tie-heavy scales, LR and MLP)', () => {
  for (const arch of ['logreg', 'mlp'] as const) {
    const r = rng(arch === 'mlp' ? 2 : 1);
    const h = tieHeader(arch, 'single');
    const count = 32 * (h.hidden || 4) + (h.hidden || 4) + (arch === 'mlp' ? 8 * 4 + 4 : 0);
    // small weights and inputs keep the accumulators inside the int8 output range, where ties show
    const params = Int32Array.from({ length: count }, () => r.int(-4, 4) * 256 + r.int(-128, 127));
    const n = 400;
    const x = Uint8Array.from({ length: n * 32 }, () => r.int(0, 15));
    const out: Record<string, Int8Array> = {};
    for (const mode of ['double', 'single'] as const) {
      const blob = encodeModel({ ...h, rounding: mode }, params);
      assert.equal(blob[6], mode === 'single' ? 1 : 0);
      const fw = new FirmwareInstance();
      const k = new Kernel(fw);
      k.load(blob);
      assert.deepEqual(k.export(), blob, 'the firmware writes the rounding byte back');
      out[mode] = k.infer(x, n);
      const { header, params: p } = decodeModel(blob);
      assert.equal(header.rounding, mode);
      assert.deepEqual(Array.from(out[mode]), Array.from(referenceInfer(referenceLayers(header, p), x, n, mode)), `${arch} ${mode}`);
    }
    const differ = out.double.reduce((s, v, i) => s + (v !== out.single[i] ? 1 : 0), 0);
    assert.ok(differ > 20, `${arch}: the two modes differ on tie-heavy data (${differ} of ${out.double.length} outputs)`);
  }
});

test('rounding byte: unknown modes are refused by the codec and the firmware; sameShape separates modes', () => {
  const fw = new FirmwareInstance();
  const spec = { arch: 'logreg' as const, inputs: 8, outputs: 3, seed: 1 };
  const single = Kernel.initialModel(fw, { ...spec, rounding: 'single' });
  const dbl = Kernel.initialModel(fw, spec);
  assert.equal(single[6], 1);
  assert.equal(dbl[6], 0);
  assert.deepEqual(single.subarray(8), dbl.subarray(8), 'only the header byte differs');
  assert.equal(sameShape(decodeModel(single).header, decodeModel(dbl).header), false, 'different modes never average together');
  assert.equal(sameShape(decodeModel(single).header, decodeModel(single).header), true);
  const bad = single.slice(); bad[6] = 2;
  assert.throws(() => decodeModel(bad), (e: unknown) => e instanceof ModelFormatError && /rounding mode 2/.test(e.message));
  const k = new Kernel(fw);
  assert.throws(() => k.load(bad), (e: unknown) => e instanceof FirmwareError && e.code === -3);
  const bad7 = single.slice(); bad7[7] = 1;
  assert.throws(() => decodeModel(bad7), ModelFormatError);
  assert.throws(() => k.load(bad7), FirmwareError);
  assert.throws(() => encodeModel({ ...decodeModel(single).header, rounding: 'half' as never }, decodeModel(single).params), /unknown rounding/);
});

// Independent TypeScript model of TFLite's reference integer arithmetic, written from the
// reference sources (not from the firmware): gemmlowp fixedpoint.h
// SaturatingRoundingDoublingHighMul and RoundingDivideByPOT, TFLite
// kernels/internal/common.h MultiplyByQuantizedMultiplier (default double rounding),
// quantization_util.cc QuantizeMultiplier, and reference/integer_ops/fully_connected.h
// FullyConnectedPerChannel. 64-bit products use BigInt so nothing is approximated.

const INT32_MIN = -2147483648, INT32_MAX = 2147483647;

/** round(a·b / 2^31) with gemmlowp's nudge and C++ truncating division; saturates MIN·MIN. */
export function saturatingRoundingDoublingHighMul(a: number, b: number): number {
  if (a === INT32_MIN && b === INT32_MIN) return INT32_MAX;
  const ab = BigInt(a) * BigInt(b);
  const nudge = ab >= 0n ? 1n << 30n : 1n - (1n << 30n);
  return Number((ab + nudge) / (1n << 31n)); // BigInt division truncates toward zero, like C++
}

/** x / 2^exponent, rounding half away from zero (gemmlowp RoundingDivideByPOT). */
export function roundingDivideByPOT(x: number, exponent: number): number {
  if (exponent < 0 || exponent > 31) throw new RangeError('exponent out of [0, 31]');
  const mask = Number((1n << BigInt(exponent)) - 1n);
  const remainder = Number(BigInt(x) & BigInt(mask));
  const threshold = Math.floor(mask / 2) + (x < 0 ? 1 : 0);
  return Math.floor(x / 2 ** exponent) + (remainder > threshold ? 1 : 0);
}

/** TFLite MultiplyByQuantizedMultiplier(x, quantized_multiplier, shift). The left shift must not
 *  overflow int32 (undefined behaviour in the C++ reference). */
export function multiplyByQuantizedMultiplier(x: number, qm: number, shift: number): number {
  const left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;
  const xs = x * 2 ** left;
  if (xs < INT32_MIN || xs > INT32_MAX) throw new RangeError('left shift overflows int32');
  return roundingDivideByPOT(saturatingRoundingDoublingHighMul(xs, qm), right);
}

/** MultiplyByQuantizedMultiplier with TFLITE_SINGLE_ROUNDING (TFLite common.h; ruy's
 *  ApplyMultiplier is the same formula): (x·q + 2^(t−1)) >> t, t = 31 − shift. Exact in BigInt. */
export function multiplyByQuantizedMultiplierSingle(x: number, qm: number, shift: number): number {
  if (shift < -31 || shift > 30) throw new RangeError('shift out of [-31, 30]');
  const t = BigInt(31 - shift);
  const r = (BigInt(x) * BigInt(qm) + (1n << (t - 1n))) >> t; // BigInt >> floors, like an arithmetic shift
  return Number(r > BigInt(INT32_MAX) ? BigInt(INT32_MAX) : r < BigInt(INT32_MIN) ? BigInt(INT32_MIN) : r);
}

/** TFLite QuantizeMultiplier(double) → [quantized_multiplier, shift]. */
export function quantizeMultiplier(m: number): [number, number] {
  if (m === 0) return [0, 0];
  // std::frexp
  let shift = Math.floor(Math.log2(m)) + 1;
  let q = m / 2 ** shift;
  if (q >= 1) { q /= 2; shift++; }
  if (q < 0.5) { q *= 2; shift--; }
  let qFixed = Math.round(q * 2 ** 31); // TfLiteRound; q > 0 so half-up = half-away-from-zero
  if (qFixed === 2 ** 31) { qFixed /= 2; shift++; }
  if (shift < -31) { shift = 0; qFixed = 0; }
  if (shift > 30) { shift = 30; qFixed = 2 ** 31 - 1; }
  return [qFixed, shift];
}

/** reference_integer_ops::FullyConnectedPerChannel for one batch row; `rounding` picks the
 *  MultiplyByQuantizedMultiplier variant (default: the reference's double rounding). */
export function fullyConnectedPerChannel(
  input: Int8Array, filter: Int8Array, bias: Int32Array, mult: Int32Array, shift: Int32Array,
  nIn: number, nOut: number, inZp: number, outZp: number, actMin: number, actMax: number,
  rounding: 'double' | 'single' = 'double',
): Int8Array {
  const mbqm = rounding === 'single' ? multiplyByQuantizedMultiplierSingle : multiplyByQuantizedMultiplier;
  const out = new Int8Array(nOut);
  for (let c = 0; c < nOut; c++) {
    let acc = 0;
    for (let d = 0; d < nIn; d++) acc += (input[d] - inZp) * filter[c * nIn + d];
    acc += bias[c];
    acc = mbqm(acc | 0, mult[c], shift[c]) + outZp;
    out[c] = Math.min(actMax, Math.max(actMin, acc));
  }
  return out;
}

/** The layers of a decoded model blob as reference FC operands (int8 weights w = (m + 128) >> 8,
 *  multipliers from QuantizeMultiplier(s_in·s_w / s_out)), built from the header, not the firmware. */
export interface RefLayer { w: Int8Array; b: Int32Array; mult: Int32Array; shift: Int32Array; nIn: number; nOut: number; inZp: number; outZp: number; actMin: number }
export function referenceLayers(header: { inputs: number; inputScale: number; inputZeroPoint: number;
  layers: { outputScale: number; outputZeroPoint: number; weightScales: number[] }[] }, params: Int32Array): RefLayer[] {
  let p = 0, inp = header.inputs, inScale = header.inputScale, inZp = header.inputZeroPoint;
  return header.layers.map((q, l) => {
    const out = q.weightScales.length;
    const w = new Int8Array(inp * out);
    for (let i = 0; i < w.length; i++) w[i] = (params[p++] + 128) >> 8;
    const b = Int32Array.from({ length: out }, () => params[p++]);
    const mult = new Int32Array(out), shift = new Int32Array(out);
    q.weightScales.forEach((s, c) => { [mult[c], shift[c]] = quantizeMultiplier((Math.fround(inScale) * Math.fround(s)) / Math.fround(q.outputScale)); });
    const hidden = l < header.layers.length - 1;
    const layer = { w, b, mult, shift, nIn: inp, nOut: out, inZp, outZp: q.outputZeroPoint, actMin: hidden ? q.outputZeroPoint : -128 };
    inp = out; inScale = q.outputScale; inZp = q.outputZeroPoint;
    return layer;
  });
}

/** Reference int8 inference of `n` uint8 samples (shifted to int8 by −128) through `layers`. */
export function referenceInfer(layers: RefLayer[], x: Uint8Array, n: number, rounding: 'double' | 'single'): Int8Array {
  const nIn = layers[0].nIn, nOut = layers[layers.length - 1].nOut;
  const out = new Int8Array(n * nOut);
  for (let s = 0; s < n; s++) {
    let a: Int8Array<ArrayBufferLike> = Int8Array.from(x.subarray(s * nIn, (s + 1) * nIn), (v) => v - 128);
    for (const L of layers) a = fullyConnectedPerChannel(a, L.w, L.b, L.mult, L.shift, L.nIn, L.nOut, L.inZp, L.outZp, L.actMin, 127, rounding);
    out.set(a, s * nOut);
  }
  return out;
}

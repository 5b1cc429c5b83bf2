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

/** reference_integer_ops::FullyConnectedPerChannel for one batch row. */
export function fullyConnectedPerChannel(
  input: Int8Array, filter: Int8Array, bias: Int32Array, mult: Int32Array, shift: Int32Array,
  nIn: number, nOut: number, inZp: number, outZp: number, actMin: number, actMax: number,
): Int8Array {
  const out = new Int8Array(nOut);
  for (let c = 0; c < nOut; c++) {
    let acc = 0;
    for (let d = 0; d < nIn; d++) acc += (input[d] - inZp) * filter[c * nIn + d];
    acc += bias[c];
    acc = multiplyByQuantizedMultiplier(acc | 0, mult[c], shift[c]) + outZp;
    out[c] = Math.min(actMax, Math.max(actMin, acc));
  }
  return out;
}

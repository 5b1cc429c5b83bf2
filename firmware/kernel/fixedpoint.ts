// TFLite reference integer arithmetic, re-implemented line for line from
// tensorflow/lite/kernels/internal/common.h (MultiplyByQuantizedMultiplier, the default
// double-rounding build, i.e. without TFLITE_SINGLE_ROUNDING), gemmlowp fixedpoint.h
// (SaturatingRoundingDoublingHighMul, RoundingDivideByPOT) and
// tensorflow/lite/kernels/internal/quantization_util.cc (QuantizeMultiplier).

/** gemmlowp SaturatingRoundingDoublingHighMul: round(a·b / 2^31), saturating the one overflow case. */
// @ts-ignore: decorator
@inline export function srdhm(a: i32, b: i32): i32 {
  if (a == b && a == i32.MIN_VALUE) return i32.MAX_VALUE;
  const ab: i64 = i64(a) * i64(b);
  const nudge: i64 = ab >= 0 ? i64(1 << 30) : i64(1 - (1 << 30));
  const t: i64 = ab + nudge;
  // C++ `(ab + nudge) / (1ll << 31)` truncates toward zero; an arithmetic shift floors.
  return i32(t >= 0 ? t >> 31 : (t + 0x7fffffff) >> 31);
}

/** gemmlowp RoundingDivideByPOT: x / 2^exponent rounded half away from zero, exponent in [0, 31]. */
// @ts-ignore: decorator
@inline export function roundingDivideByPOT(x: i32, exponent: i32): i32 {
  const mask: i32 = i32((i64(1) << exponent) - 1);
  const remainder = x & mask;
  const threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/** TFLite MultiplyByQuantizedMultiplier(x, quantized_multiplier, shift), double rounding
 *  (the reference default: TFLite reference kernels, TFLite Micro, CMSIS-NN). */
// @ts-ignore: decorator
@inline export function multiplyByQuantizedMultiplier(x: i32, qm: i32, shift: i32): i32 {
  const left = shift > 0 ? shift : 0;
  const right = shift > 0 ? 0 : -shift;
  return roundingDivideByPOT(srdhm(x * (1 << left), qm), right);
}

/** Rounding modes of the requantization (model header byte 6, docs/model-format.md). */
export const ROUND_DOUBLE: i32 = 0;
export const ROUND_SINGLE: i32 = 1;

/** MultiplyByQuantizedMultiplier in its single-rounding form (TFLite common.h with
 *  TFLITE_SINGLE_ROUNDING, and ruy's ApplyMultiplier, which TFLite's builtin optimized int8
 *  FULLY_CONNECTED runs): (x·q + 2^(t−1)) >> t with t = 31 − shift, i.e. x·q / 2^t rounded
 *  once, ties toward +∞. The exact result always fits i64 (|x·q| < 2^62, t in [1, 62]);
 *  it is saturated to i32 where the C++ leaves it undefined (a DCHECK). */
// @ts-ignore: decorator
@inline export function multiplyByQuantizedMultiplierSingle(x: i32, qm: i32, shift: i32): i32 {
  const t = i64(31 - shift);
  const r = (i64(x) * i64(qm) + (i64(1) << (t - 1))) >> t;
  return r > i64(i32.MAX_VALUE) ? i32.MAX_VALUE : r < i64(i32.MIN_VALUE) ? i32.MIN_VALUE : i32(r);
}

/** MultiplyByQuantizedMultiplier in rounding mode `mode` (ROUND_DOUBLE or ROUND_SINGLE). */
// @ts-ignore: decorator
@inline export function mbqm(mode: i32, x: i32, qm: i32, shift: i32): i32 {
  return mode == ROUND_SINGLE ? multiplyByQuantizedMultiplierSingle(x, qm, shift) : multiplyByQuantizedMultiplier(x, qm, shift);
}

let qmShift: i32 = 0;
/** Shift produced by the last quantizeMultiplier call (AssemblyScript has no tuple returns). */
export function lastShift(): i32 { return qmShift; }

/** TFLite QuantizeMultiplier: m = q·2^(shift-31), q in [2^30, 2^31). Returns q; shift via lastShift().
 *  Includes the reference's two corner cases: q rounding up to 2^31, and shift < -31 → zero. */
export function quantizeMultiplier(m: f64): i32 {
  if (m <= 0 || !isFinite(m)) { qmShift = 0; return 0; }
  // std::frexp: m = frac·2^e with frac in [0.5, 1)
  const bits = reinterpret<u64>(m);
  let e = i32((bits >> 52) & 0x7ff);
  let frac: f64;
  if (e == 0) { qmShift = 0; return 0; } // subnormal: far below 2^-31, reference zeroes it
  frac = reinterpret<f64>((bits & 0x800fffffffffffff) | (u64(1022) << 52));
  let shift = e - 1022;
  // TfLiteRound(frac·2^31): std::round, half away from zero (frac > 0, exact in f64)
  let q = i64(Math.floor(frac * 2147483648.0 + 0.5));
  if (q == (i64(1) << 31)) { q = q / 2; shift++; }
  if (shift < -31) { shift = 0; q = 0; }
  if (shift > 30) { shift = 30; q = (i64(1) << 31) - 1; }
  qmShift = shift;
  return i32(q);
}

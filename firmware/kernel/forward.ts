// Forward pass of the model, sparse over zero inputs. For layers whose input zero point is
// -128 (uint8 pixels shifted to int8, and ReLU hidden activations) TFLite's reference
// FULLY_CONNECTED accumulator  Σ (q_in − zp_in)·q_w + bias  equals Σ v·q_w + bias over the
// non-zero v = q_in + 128 only, so skipping zeros is bit-exact, not an approximation.
import { multiplyByQuantizedMultiplier, multiplyByQuantizedMultiplierSingle, ROUND_SINGLE } from "./fixedpoint";
import { dI, dP, F_IN, F_OUT, F_W8, F_BIAS, F_MULT, F_SHIFT, F_ACC, F_ACT, F_NZ, F_OUT_ZP, F_ACT_MIN, F_ACT_MAX, nLayers, rounding } from "./model";

/** Collects the indices of non-zero input values `v` (length = layer inputs) for layer `l`.
 *  All-zero 8-byte words are skipped; inside the others the index is written unconditionally and
 *  the count advanced by (v != 0), which avoids a mispredicted branch per stroke edge. */
// @ts-ignore: decorator
@inline function gatherNonZero(l: i32, v: usize): i32 {
  const inp = dI(l, F_IN), nz = dP(l, F_NZ);
  const full = inp & ~7;
  let k = 0;
  for (let b = 0; b < full; b += 8) {
    if (load<u64>(v + b) == 0) continue;
    for (let i = b; i < b + 8; i++) { store<u16>(nz + (k << 1), u16(i)); k += i32(load<u8>(v + i) != 0); }
  }
  for (let i = full; i < inp; i++) { store<u16>(nz + (k << 1), u16(i)); k += i32(load<u8>(v + i) != 0); }
  return k;
}

let nnz0: i32 = 0;
let nnz1: i32 = 0;
/** Non-zero count of the last forward's input to layer l. */
export function lastNonZero(l: i32): i32 { return l == 0 ? nnz0 : nnz1; }

/** int32 accumulators of layer `l` for input values `v`; returns the non-zero count. */
function accumulate(l: i32, v: usize): i32 {
  if (ASC_FEATURE_SIMD) return accumulateSimd(l, v);
  const inp = dI(l, F_IN), out = dI(l, F_OUT);
  const w8 = dP(l, F_W8), bias = dP(l, F_BIAS), acc = dP(l, F_ACC), nz = dP(l, F_NZ);
  const k = gatherNonZero(l, v);
  for (let j = 0; j < out; j++) {
    const row = w8 + usize(j * inp);
    let a = load<i32>(bias + (j << 2));
    for (let t = 0; t < k; t++) {
      const i = usize(load<u16>(nz + (t << 1)));
      a += i32(load<u8>(v + i)) * i32(load<i8>(row + i));
    }
    store<i32>(acc + (j << 2), a);
  }
  return k;
}

/** wasm-SIMD variant (build target `simd`), over the [in][out] weight layout of that build
 *  (model.ts `wIdx`): the non-zero inputs are found 16 at a time with a lane bitmask, then each
 *  one adds v·w for 16 rows at once (i16 products |v·w| ≤ 255·127 < 2^15, widened to i32).
 *  Integer sums are order-independent, so the accumulators equal the scalar path's exactly.
 *  Lanes past the last row read the next input's weights; those sums are never stored. */
function accumulateSimd(l: i32, v: usize): i32 {
  const inp = dI(l, F_IN), out = dI(l, F_OUT);
  const w8 = dP(l, F_W8), bias = dP(l, F_BIAS), acc = dP(l, F_ACC), nz = dP(l, F_NZ);
  const full = inp & ~15;
  const zero = i8x16.splat(0);
  let k = 0;
  for (let b = 0; b < full; b += 16) {
    let m = i8x16.bitmask(i8x16.ne(v128.load(v + b), zero));
    while (m) { store<u16>(nz + (k << 1), u16(b + ctz(m))); k++; m &= m - 1; }
  }
  for (let i = full; i < inp; i++) if (load<u8>(v + i) != 0) { store<u16>(nz + (k << 1), u16(i)); k++; }
  for (let g = 0; g < out; g += 16) {
    let a0 = i32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
    const col = w8 + usize(g);
    for (let t = 0; t < k; t++) {
      const i = i32(load<u16>(nz + (t << 1)));
      const x = i16x8.splat(i16(load<u8>(v + i)));
      const w = v128.load(col + usize(i * out));
      const pl = i16x8.mul(i16x8.extend_low_i8x16_s(w), x), ph = i16x8.mul(i16x8.extend_high_i8x16_s(w), x);
      a0 = i32x4.add(a0, i32x4.extend_low_i16x8_s(pl));
      a1 = i32x4.add(a1, i32x4.extend_high_i16x8_s(pl));
      a2 = i32x4.add(a2, i32x4.extend_low_i16x8_s(ph));
      a3 = i32x4.add(a3, i32x4.extend_high_i16x8_s(ph));
    }
    const p = acc + usize(g << 2); // ACC is padded to whole vectors in this build
    v128.store(p, a0); v128.store(p, a1, 16); v128.store(p, a2, 32); v128.store(p, a3, 48);
  }
  for (let j = 0; j < out; j++) store<i32>(acc + (j << 2), load<i32>(acc + (j << 2)) + load<i32>(bias + (j << 2)));
  return k;
}

/** TFLite output stage: MultiplyByQuantizedMultiplier (in the model's rounding mode), + output
 *  zero point, clamp to the activation range. Writes int8 outputs at `dst` and (q − zp_next)
 *  values into ACT. */
function requantize(l: i32, dst: usize): void {
  const out = dI(l, F_OUT);
  const acc = dP(l, F_ACC), mult = dP(l, F_MULT), shift = dP(l, F_SHIFT), act = dP(l, F_ACT);
  const zp = dI(l, F_OUT_ZP), lo = dI(l, F_ACT_MIN), hi = dI(l, F_ACT_MAX);
  const single = rounding == ROUND_SINGLE;
  for (let j = 0; j < out; j++) {
    const a = load<i32>(acc + (j << 2)), m = load<i32>(mult + (j << 2)), s = load<i32>(shift + (j << 2));
    let q = (single ? multiplyByQuantizedMultiplierSingle(a, m, s) : multiplyByQuantizedMultiplier(a, m, s)) + zp;
    q = q < lo ? lo : q > hi ? hi : q;
    if (dst) store<i8>(dst + j, i8(q));
    store<u8>(act + j, u8(q - zp)); // next layer's input value v = q − zp_in (zp_in = this zp)
  }
}

/** Runs the model on one sample of uint8 inputs at `x`. The last layer's accumulators are
 *  left in ACC; int8 outputs (TFLite semantics) are written to `out` when it is non-zero. */
export function forward(x: usize, out: usize): void {
  nnz0 = accumulate(0, x);
  if (nLayers == 2) {
    requantize(0, 0);
    nnz1 = accumulate(1, dP(0, F_ACT));
  }
  if (out) requantize(nLayers - 1, out);
}

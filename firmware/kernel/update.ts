// Stochastically rounded SGD step of one layer (docs/model-format.md, "Training", step 4).
// Master weights carry 8 fractional bits below the int8 grid; an update of g_k·v/2^16 master
// units is rounded up or down at random, with probability equal to its fractional part:
//   Δm = (g_k·v + r) >> 16,  r uniform in [0, 2^16)   ⇒   E[Δm] = g_k·v / 2^16.
// The random bits r of weight (row j, input i) are half (j & 1) of hash32(key + S·i + (j >> 1)),
// with one key per layer and sample from the serial generator and S = 8 words per 16 rows. They
// do not depend on the visiting order, so the scalar loop (row by row over the non-zero inputs)
// and the simd loop (16 rows per vector, input by input) produce byte-identical masters.
// Weights of zero inputs need no visit: (g_k·0 + r) >> 16 = 0.
import { dI, dP, F_IN, F_OUT, F_MASTER, F_BIAS, F_KQ, F_KBQ, F_GRAD, F_NZ, W_MASTER_MAX, BIAS_MAX } from "./model";
import { rngNext, hash32, hash32x4 } from "./rng";

const GK_CLAMP: i64 = 1 << 23;          // |g_k·v + r| < 2^23·255 + 2^16 < 2^31: fits i32 lanes
const GK: usize = memory.data(4 * 64, 16); // per-row g_k, zero-padded to whole vectors (simd)

/** Hash words per input: 8 per group of 16 rows. */
// @ts-ignore: decorator
@inline function wordsPerInput(out: i32): u32 { return u32(((out + 15) >> 4) << 3); }

/** Applies the step for layer `l` with inputs `v` (the forward pass's non-zero list). */
export function update(l: i32, v: usize, nnz: i32): void {
  const out = dI(l, F_OUT);
  const g = dP(l, F_GRAD), kq = dP(l, F_KQ), kbq = dP(l, F_KBQ), bias = dP(l, F_BIAS);
  const key = rngNext();
  let any = false;
  for (let j = 0; j < out; j++) {
    const ng = i64(load<i32>(g + (j << 2)));
    let gk: i64 = 0;
    if (ng != 0) {
      // bias: Δb = ng·Kb / 2^24, stochastic rounding with 24 random bits of the serial stream
      let b = i64(load<i32>(bias + (j << 2))) + ((ng * load<i64>(kbq + (j << 3)) + i64(rngNext() & 0xffffff)) >> 24);
      b = b > BIAS_MAX ? BIAS_MAX : b < -BIAS_MAX ? -BIAS_MAX : b;
      store<i32>(bias + (j << 2), i32(b));
      gk = (ng * load<i64>(kq + (j << 3))) >> 24;
      gk = gk > GK_CLAMP ? GK_CLAMP : gk < -GK_CLAMP ? -GK_CLAMP : gk;
      if (gk != 0) any = true;
    }
    store<i32>(GK + (j << 2), i32(gk));
  }
  if (!any) return;
  if (ASC_FEATURE_SIMD) updateSimd(l, v, nnz, key);
  else updateScalar(l, v, nnz, key);
}

// @ts-ignore: decorator
@inline function step(p: usize, gk: i32, v: i32, r: i32): void {
  let m = i32(load<i16>(p)) + ((gk * v + r) >> 16);
  m = m > W_MASTER_MAX ? W_MASTER_MAX : m < -W_MASTER_MAX ? -W_MASTER_MAX : m;
  store<i16>(p, i16(m));
}

/** [out][in] layout: over the non-zero inputs, two rows at a time (rows 2w and 2w+1 share one
 *  hash word). */
function updateScalar(l: i32, v: usize, nnz: i32, key: u32): void {
  const inp = dI(l, F_IN), out = dI(l, F_OUT), nz = dP(l, F_NZ), master = dP(l, F_MASTER);
  const S = wordsPerInput(out);
  for (let j = 0; j < out; j += 2) {
    const g0 = load<i32>(GK + (j << 2)), g1 = j + 1 < out ? load<i32>(GK + (j << 2), 4) : 0;
    if ((g0 | g1) == 0) continue;
    const row0 = master + usize((j * inp) << 1), row1 = row0 + usize(inp << 1);
    const kj = key + u32(j >> 1);
    for (let t = 0; t < nnz; t++) {
      const i = i32(load<u16>(nz + (t << 1)));
      const h = hash32(kj + S * u32(i)), x = i32(load<u8>(v + i));
      step(row0 + usize(i << 1), g0, x, i32(h & 0xffff));
      if (g1 != 0) step(row1 + usize(i << 1), g1, x, i32(h >> 16));
    }
  }
}

/** [in][out] layout (simd build): per non-zero input, 16 rows at a time. Lanes past the last
 *  row have g_k = 0, so they add (0 + r) >> 16 = 0 to whatever master they overlap. */
function updateSimd(l: i32, v: usize, nnz: i32, key: u32): void {
  const out = dI(l, F_OUT), nz = dP(l, F_NZ), master = dP(l, F_MASTER);
  const S = wordsPerInput(out);
  for (let j = out; j < ((out + 15) & ~15); j++) store<i32>(GK + (j << 2), 0);
  const hi = i16x8.splat(i16(W_MASTER_MAX)), lo = i16x8.splat(i16(-W_MASTER_MAX));
  const iota = i32x4(0, 1, 2, 3), four = i32x4.splat(4);
  for (let g = 0; g < out; g += 16) {
    const k0 = v128.load(GK + (g << 2)), k1 = v128.load(GK + (g << 2), 16);
    const k2 = v128.load(GK + (g << 2), 32), k3 = v128.load(GK + (g << 2), 48);
    const col = master + usize(g << 1), kg = key + u32(g >> 1);
    for (let t = 0; t < nnz; t++) {
      const i = i32(load<u16>(nz + (t << 1)));
      const x = i32x4.splat(i32(load<u8>(v + i)));
      const c = i32x4.add(i32x4.splat(kg + S * u32(i)), iota);
      const h0 = hash32x4(c), h1 = hash32x4(i32x4.add(c, four));
      // lanes of h as u16: [lo(w0), hi(w0), lo(w1), ...] = rows g, g+1, g+2, ...
      const d0 = i32x4.shr_s(i32x4.add(i32x4.mul(k0, x), i32x4.extend_low_i16x8_u(h0)), 16);
      const d1 = i32x4.shr_s(i32x4.add(i32x4.mul(k1, x), i32x4.extend_high_i16x8_u(h0)), 16);
      const d2 = i32x4.shr_s(i32x4.add(i32x4.mul(k2, x), i32x4.extend_low_i16x8_u(h1)), 16);
      const d3 = i32x4.shr_s(i32x4.add(i32x4.mul(k3, x), i32x4.extend_high_i16x8_u(h1)), 16);
      // |Δm| ≤ 32640 fits i16; m + Δm saturates only beyond ±32512, where the clamp applies anyway
      const p = col + usize((i * out) << 1);
      const m0 = i16x8.add_sat_s(v128.load(p), i16x8.narrow_i32x4_s(d0, d1));
      const m1 = i16x8.add_sat_s(v128.load(p, 16), i16x8.narrow_i32x4_s(d2, d3));
      v128.store(p, i16x8.max_s(i16x8.min_s(m0, hi), lo));
      v128.store(p, i16x8.max_s(i16x8.min_s(m1, hi), lo), 16);
    }
  }
}

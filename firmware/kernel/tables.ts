// Integer lookup tables for softmax and log-loss, built once into memory at __heap_base.
// They are computed with IEEE-754 f64 add/mul/div/sqrt only (exactly rounded in every
// conforming wasm engine), not with a software pow/log2 (~1.5 KB of .wasm): the series below
// reproduce the correctly rounded table values exactly (checked against the previous
// NativeMath.pow/log2 build for all 512 entries; the nearest rounding tie is ≥ 8·10⁻⁴ of a
// unit away, far above the ~10⁻¹² error of these f64 evaluations).

export const EXP2_BITS: i32 = 8;              // 2^(-f/256), f in [0, 256)
export const LOG2_BITS: i32 = 8;              // log2(1 + f/256), f in [0, 256)
let exp2Tab: usize = 0;                       // i32 Q30
let log2Tab: usize = 0;                       // i32 Q16
let built = false;

// @ts-ignore: decorator
@inline function roundHalfUp(x: f64): i32 { return i32(Math.floor(x + 0.5)); } // f64.floor, native

/** Builds the tables at `base`; returns the first byte after them. */
export function tablesInit(base: usize): usize {
  exp2Tab = base;
  log2Tab = base + (4 << EXP2_BITS);
  if (!built) {
    // 2^(-f/256) = c^f with c = 2^(-1/256) = eight square roots of 1/2
    let c = 0.5;
    for (let i = 0; i < 8; i++) c = Math.sqrt(c);
    let e = 1.0;
    for (let f = 0; f < (1 << EXP2_BITS); f++) {
      store<i32>(exp2Tab + (f << 2), roundHalfUp(e * 1073741824.0));
      e *= c;
    }
    // log2(1 + x) = 2·atanh(u)/ln 2 with u = x/(2 + x) = f/(512 + f) ≤ 1/3:
    // atanh(u) = Σ u^(2k+1)/(2k+1); 16 terms leave < 3^-33 ≈ 10^-16
    for (let f = 0; f < (1 << LOG2_BITS); f++) {
      const u = f64(f) / f64(512 + f), u2 = u * u;
      let term = u, s = 0.0;
      for (let k = 0; k < 16; k++) { s += term / f64(2 * k + 1); term *= u2; }
      store<i32>(log2Tab + (f << 2), roundHalfUp(2.0 * s * 1.4426950408889634 * 65536.0));
    }
    built = true;
  }
  return log2Tab + (4 << LOG2_BITS);
}

/** 2^(-t) in Q30 for t ≥ 0 given in Q10 (log2 units). */
// @ts-ignore: decorator
@inline export function exp2NegQ10(t: i32): i32 {
  const k = t >> 10;
  if (k >= 31) return 0;
  return load<i32>(exp2Tab + (((t & 1023) >> 2) << 2)) >> k;
}

/** log2(v) in Q16 for v > 0 (|error| < 2^-8). */
// @ts-ignore: decorator
@inline export function log2Q16(v: u64): i64 {
  const n = 63 - i32(clz(v));
  const frac = i32(n >= 8 ? (v >> u64(n - 8)) & 255 : (v << u64(8 - n)) & 255);
  return (i64(n) << 16) + i64(load<i32>(log2Tab + (frac << 2)));
}

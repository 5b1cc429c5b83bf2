// Integer lookup tables for softmax and log-loss, built once (with AssemblyScript's own
// software Math, so they are identical on every runtime) into memory at __heap_base.

export const EXP2_BITS: i32 = 8;              // 2^(-f/256), f in [0, 256)
export const LOG2_BITS: i32 = 8;              // log2(1 + f/256), f in [0, 256)
let exp2Tab: usize = 0;                       // i32 Q30
let log2Tab: usize = 0;                       // i32 Q16
let built = false;

/** Builds the tables at `base`; returns the first byte after them. */
export function tablesInit(base: usize): usize {
  exp2Tab = base;
  log2Tab = base + (4 << EXP2_BITS);
  if (!built) {
    for (let f = 0; f < (1 << EXP2_BITS); f++) {
      store<i32>(exp2Tab + (f << 2), i32(Math.floor(Math.pow(2.0, -f64(f) / 256.0) * 1073741824.0 + 0.5)));
    }
    for (let f = 0; f < (1 << LOG2_BITS); f++) {
      store<i32>(log2Tab + (f << 2), i32(Math.floor(Math.log2(1.0 + f64(f) / 256.0) * 65536.0 + 0.5)));
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

// Deterministic integer generators, so every runtime and build variant yields the same numbers.
//  * xorshift32 (Marsaglia 2003): a serial stream for initial weights, bias rounding and the
//    per-sample keys below.
//  * hash32 (Wellons' "lowbias32" integer hash): a counter-based generator for the stochastic
//    rounding of weights. The random bits of a weight depend only on (key, weight index), not
//    on the order in which weights are visited, so the scalar build (row by row over non-zero
//    inputs) and the simd build (16 rows per vector, input by input) draw identical bits.
let state: u32 = 1;

/** Seeds the generator; any seed (even 0) gives a non-zero state. */
export function rngSeed(seed: u32): void {
  let s = (seed ^ 0x9e3779b9) * 0x85ebca6b;
  s ^= s >> 13;
  state = s == 0 ? 1 : s;
}

/** Next 32 random bits. */
// @ts-ignore: decorator
@inline export function rngNext(): u32 {
  let x = state;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  state = x;
  return x;
}

/** Uniform integer in [-b, b] (modulo bias < 2^-16 for the bounds used here). */
export function rngSym(b: i32): i32 {
  return i32(rngNext() % u32(2 * b + 1)) - b;
}

/** 32-bit mixing hash of a counter (a bijection on u32; lowbias32 constants). */
// @ts-ignore: decorator
@inline export function hash32(x: u32): u32 {
  x ^= x >> 16; x *= 0x7feb352d;
  x ^= x >> 15; x *= 0x846ca68b;
  x ^= x >> 16;
  return x;
}

/** hash32 of each u32 lane (simd build only). */
// @ts-ignore: decorator
@inline export function hash32x4(x: v128): v128 {
  x = v128.xor(x, i32x4.shr_u(x, 16)); x = i32x4.mul(x, i32x4.splat(0x7feb352d));
  x = v128.xor(x, i32x4.shr_u(x, 15)); x = i32x4.mul(x, i32x4.splat(0x846ca68b));
  return v128.xor(x, i32x4.shr_u(x, 16));
}

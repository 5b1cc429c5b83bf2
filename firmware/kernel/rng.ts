// Deterministic xorshift32 (Marsaglia 2003). Integer-only so every runtime yields the same stream.
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

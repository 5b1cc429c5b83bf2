// Small deterministic PRNG for the tests' generators (mulberry32): the same stream on every
// run, so a failing case can be replayed from its seed.

/** `u32()` a uniform 32-bit word, `int(lo, hi)` an integer in [lo, hi], `i32()` a signed word. */
export function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0);
  };
  return { u32: next, int: (lo: number, hi: number) => lo + (next() % (hi - lo + 1)), i32: () => next() | 0 };
}

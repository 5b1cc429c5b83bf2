// Local differential privacy for a model update (seed paper 001, Eq. 3–5):
//   m̂ = m + Laplace(s/ε)   (Eq. 4),   s = max ‖f(D) - f(D')‖₁   (Eq. 5).
// The update is an int32 vector in firmware memory. It is first clipped to an L1 bound C, so two
// possible updates differ by at most s = 2C in L1 and the Laplace mechanism with scale 2C/ε gives
// ε-DP (Eq. 3). The noise is discrete Laplace, sampled exactly with integer arithmetic
// (Canonne, Kamath, Steinke 2020, "The Discrete Gaussian for Differential Privacy", Alg. 1–2),
// driven by the ChaCha20 CSPRNG. Floating-point Laplace is avoided because its rounding leaks
// (Mironov 2012).
// Timing: the sampler's running time depends on the noise drawn (as in the reference algorithm);
// it never depends on the update's values.
import { rngBelow, rngNext64 } from './chacha20';

/** Bernoulli(n/d) for 0 ≤ n ≤ d, d ≥ 1. */
@inline function bern(n: u64, d: u64): bool { return rngBelow(d) < n; }

/** Bernoulli(exp(-n/d)) for n ≥ 0, d ≥ 1 (CKS 2020, Algorithm 1). */
export function bernExp(n: u64, d: u64): bool {
  while (n > d) { // exp(-γ) = exp(-1)^⌊γ⌋ · exp(-(γ - ⌊γ⌋))
    if (!bernExpFrac(1, 1)) return false;
    n -= d;
  }
  return bernExpFrac(n, d);
}

// γ = n/d ∈ [0, 1]: K ← 1; while Bernoulli(γ/K) { K++ }; return K odd.
function bernExpFrac(n: u64, d: u64): bool {
  let k: u64 = 1;
  while (bern(n, d * k)) k++;
  return (k & 1) == 1;
}

/** One sample of the discrete Laplace distribution P(x) ∝ exp(-|x|·s/t), t, s ≥ 1
 *  (CKS 2020, Algorithm 2). Scale b = t/s. */
export function discreteLaplace(t: u64, s: u64): i64 {
  while (true) {
    const u = rngBelow(t);
    if (!bernExp(u, t)) continue;
    let v: u64 = 0;
    while (bernExp(1, 1)) v++;
    const y = (u + t * v) / s;
    const neg = (rngNext64() & 1) == 1;
    if (neg && y == 0) continue;
    return neg ? -<i64>y : <i64>y;
  }
  return 0;
}

@inline function sat32(x: i64): i32 {
  return <i32>max<i64>(<i64>i32.MIN_VALUE, min<i64>(<i64>i32.MAX_VALUE, x));
}

/** Adds discrete Laplace noise of scale t/s to each of `count` int32 values at `p` (saturating). */
export function addLaplace(p: usize, count: usize, t: u64, s: u64): void {
  for (let i: usize = 0; i < count; i++) {
    const a = p + (i << 2);
    store<i32>(a, sat32(<i64>load<i32>(a) + discreteLaplace(t, s)));
  }
}

/** L1 norm of `count` int32 values at `p` (≤ 2^22 · 2^31, no overflow). */
export function l1Norm(p: usize, count: usize): u64 {
  let norm: u64 = 0;
  for (let i: usize = 0; i < count; i++) norm += <u64>abs<i64>(<i64>load<i32>(p + (i << 2)));
  return norm;
}

/** Scales `count` values at `p` of a vector whose whole L1 norm is `norm` so the vector's norm is
 *  ≤ c: xᵢ ← trunc(xᵢ·c/norm) when norm > c (a vector clipped in pieces gets the same values). */
export function clipBy(p: usize, count: usize, c: u64, norm: u64): void {
  if (norm <= c) return;
  for (let i: usize = 0; i < count; i++) {
    const a = p + (i << 2);
    store<i32>(a, <i32>((<i64>load<i32>(a) * <i64>c) / <i64>norm));
  }
}

/** Scales the vector down so its L1 norm is ≤ c (truncation toward zero keeps it ≤ c).
 *  Returns the L1 norm before clipping. */
export function clipL1(p: usize, count: usize, c: u64): u64 {
  const norm = l1Norm(p, count);
  if (norm > c) {
    for (let i: usize = 0; i < count; i++) {
      const a = p + (i << 2);
      store<i32>(a, <i32>((<i64>load<i32>(a) * <i64>c) / <i64>norm));
    }
  }
  return norm;
}

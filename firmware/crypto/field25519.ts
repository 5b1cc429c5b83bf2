// Arithmetic in GF(2^255 - 19) for Ed25519 (RFC 8032 §5.1), ref10 representation:
// an element is 10 signed 32-bit limbs at a memory address (40 bytes), radix 2^25.5
// (limbs alternate 26 and 25 bits). Products are accumulated in i64; the carry chain is
// centred, so reduced limbs stay below 2^25 in magnitude and sums of up to four reduced
// elements may be multiplied without overflow (worst column 267·(2^27)^2 < 2^63).
// Every function here is constant-time: no branch or index depends on element values.

/** Bytes per field element. */
export const FE: usize = 40;

// Constants (plain radix-2^25.5 limbs, values below 2^26).
/** Edwards d = -121665/121666 (RFC 8032 §5.1). */
export const FE_D: usize = memory.data<i32>([56195235, 13857412, 51736253, 6949390, 114729, 24766616, 60832955, 30306712, 48412415, 21499315]);
/** 2·d. */
export const FE_D2: usize = memory.data<i32>([45281625, 27714825, 36363642, 13898781, 229458, 15978800, 54557047, 27058993, 29715967, 9444199]);
/** sqrt(-1) = 2^((p-1)/4) (RFC 8032 §5.1.3). */
export const FE_SQRTM1: usize = memory.data<i32>([34513072, 25610706, 9377949, 3500415, 12389472, 33281959, 41962654, 31548777, 326685, 11406482]);

const T0: usize = memory.data(40, 8);
const T1: usize = memory.data(40, 8);
const T2: usize = memory.data(40, 8);
const TB: usize = memory.data(32, 8);
const TC: usize = memory.data(32, 8);

/** h = 0 */
export function feZero(h: usize): void { memory.fill(h, 0, 40); }
/** h = 1 */
export function feOne(h: usize): void { memory.fill(h, 0, 40); store<i32>(h, 1); }
/** h = f */
export function feCopy(h: usize, f: usize): void { memory.copy(h, f, 40); }

/** h = f + g (no carry). */
export function feAdd(h: usize, f: usize, g: usize): void {
  for (let i: usize = 0; i < 40; i += 4) store<i32>(h + i, load<i32>(f + i) + load<i32>(g + i));
}
/** h = f - g (no carry; limbs are signed). */
export function feSub(h: usize, f: usize, g: usize): void {
  for (let i: usize = 0; i < 40; i += 4) store<i32>(h + i, load<i32>(f + i) - load<i32>(g + i));
}
/** h = -f */
export function feNeg(h: usize, f: usize): void {
  for (let i: usize = 0; i < 40; i += 4) store<i32>(h + i, -load<i32>(f + i));
}
/** f = b ? g : f, for b ∈ {0, 1}, without branching on b. */
export function feCmov(f: usize, g: usize, b: i32): void {
  const m = -b;
  for (let i: usize = 0; i < 40; i += 4) {
    const x = load<i32>(f + i);
    store<i32>(f + i, x ^ ((x ^ load<i32>(g + i)) & m));
  }
}

/** Loads 32 little-endian bytes (top bit ignored, RFC 8032 §5.1.3) into h. Value may be ≥ p. */
export function feFromBytes(h: usize, s: usize): void {
  memory.copy(TB, s, 32);
  let bit: u32 = 0;
  for (let i: usize = 0; i < 10; i++) {
    const w: u32 = (i & 1) ? 25 : 26;
    // 64-bit window starting at the limb's byte; for the last limb read the top 8 bytes instead.
    const byte = min<u32>(bit >> 3, 24);
    const v = load<u64>(TB + byte) >> <u64>(bit - (byte << 3));
    store<i32>(h + (i << 2), <i32>(v & ((1 << w) - 1)));
    bit += w;
  }
}

/** Writes the canonical 32-byte encoding of h (fully reduced mod p). */
export function feToBytes(s: usize, f: usize): void {
  let h0 = load<i32>(f, 0), h1 = load<i32>(f, 4), h2 = load<i32>(f, 8), h3 = load<i32>(f, 12), h4 = load<i32>(f, 16);
  let h5 = load<i32>(f, 20), h6 = load<i32>(f, 24), h7 = load<i32>(f, 28), h8 = load<i32>(f, 32), h9 = load<i32>(f, 36);
  // q = floor(h / p) ∈ {0, 1} for a carried input (ref10 fe_tobytes)
  let q = (19 * h9 + (1 << 24)) >> 25;
  q = (h0 + q) >> 26; q = (h1 + q) >> 25; q = (h2 + q) >> 26; q = (h3 + q) >> 25; q = (h4 + q) >> 26;
  q = (h5 + q) >> 25; q = (h6 + q) >> 26; q = (h7 + q) >> 25; q = (h8 + q) >> 26; q = (h9 + q) >> 25;
  h0 += 19 * q;
  let c: i32;
  c = h0 >> 26; h1 += c; h0 -= c << 26;
  c = h1 >> 25; h2 += c; h1 -= c << 25;
  c = h2 >> 26; h3 += c; h2 -= c << 26;
  c = h3 >> 25; h4 += c; h3 -= c << 25;
  c = h4 >> 26; h5 += c; h4 -= c << 26;
  c = h5 >> 25; h6 += c; h5 -= c << 25;
  c = h6 >> 26; h7 += c; h6 -= c << 26;
  c = h7 >> 25; h8 += c; h7 -= c << 25;
  c = h8 >> 26; h9 += c; h8 -= c << 26;
  h9 &= 0x1ffffff;
  // limbs start at bits 0, 26, 51, 77, 102 | 128, 153, 179, 204, 230
  const lo0: u64 = <u64>h0 | (<u64>h1 << 26) | (<u64>h2 << 51);
  const lo1: u64 = (<u64>h2 >> 13) | (<u64>h3 << 13) | (<u64>h4 << 38);
  const hi0: u64 = <u64>h5 | (<u64>h6 << 25) | (<u64>h7 << 51);
  const hi1: u64 = (<u64>h7 >> 13) | (<u64>h8 << 12) | (<u64>h9 << 38);
  store<u64>(s, lo0, 0); store<u64>(s, lo1, 8); store<u64>(s, hi0, 16); store<u64>(s, hi1, 24);
}

/** 1 if f mod p is odd ("negative", RFC 8032 §5.1.2), else 0. */
export function feIsNegative(f: usize): i32 {
  feToBytes(TC, f);
  return load<u8>(TC) & 1;
}

/** 1 if f ≡ 0 mod p, else 0 (constant-time). */
export function feIsZero(f: usize): i32 {
  feToBytes(TC, f);
  const x = load<u64>(TC, 0) | load<u64>(TC, 8) | load<u64>(TC, 16) | load<u64>(TC, 24);
  return <i32>(((x | (0 - x)) >> 63) ^ 1);
}

function feSqN(h: usize, f: usize, n: i32): void {
  feSq(h, f);
  for (let i = 1; i < n; i++) feSq(h, h);
}

// Addition chain shared by inversion and square root (ref10 fe_invert / fe_pow22523):
// leaves z^(2^250 - 1) in T0 and z^11 in z11. z must not be a scratch element of this file.
function pow250(z: usize, z11: usize): void {
  feSq(z11, z);                 // z^2
  feSqN(T1, z11, 2);            // z^8
  feMul(T1, z, T1);             // z^9
  feMul(z11, z11, T1);          // z^11
  feSq(T0, z11);                // z^22
  feMul(T0, T1, T0);            // z^(2^5 - 1)
  feSqN(T1, T0, 5); feMul(T0, T1, T0);    // 2^10 - 1
  feSqN(T1, T0, 10); feMul(T1, T1, T0);   // 2^20 - 1
  feSqN(T2, T1, 20); feMul(T1, T2, T1);   // 2^40 - 1
  feSqN(T1, T1, 10); feMul(T0, T1, T0);   // 2^50 - 1
  feSqN(T1, T0, 50); feMul(T1, T1, T0);   // 2^100 - 1
  feSqN(T2, T1, 100); feMul(T1, T2, T1);  // 2^200 - 1
  feSqN(T1, T1, 50); feMul(T0, T1, T0);   // 2^250 - 1
}

const Z11: usize = memory.data(40, 8);

/** h = z^(p-2) = 1/z (0 for z = 0), Fermat inversion. */
export function feInvert(h: usize, z: usize): void {
  pow250(z, Z11);
  feSqN(T0, T0, 5);             // z^(2^255 - 2^5)
  feMul(h, T0, Z11);            // z^(2^255 - 21) = z^(p - 2)
}

/** h = z^((p-5)/8) = z^(2^252 - 3), for square roots (RFC 8032 §5.1.3). */
export function fePow22523(h: usize, z: usize): void {
  pow250(z, Z11);
  feSqN(T0, T0, 2);             // z^(2^252 - 4)
  feMul(h, T0, z);              // z^(2^252 - 3)
}

/** h = f·g mod p (ref10 schoolbook, 100 i64 products). h may alias f or g. */
export function feMul(h: usize, f: usize, g: usize): void {
  const f0 = <i64>load<i32>(f, 0), g0 = <i64>load<i32>(g, 0);
  const f1 = <i64>load<i32>(f, 4), g1 = <i64>load<i32>(g, 4);
  const f2 = <i64>load<i32>(f, 8), g2 = <i64>load<i32>(g, 8);
  const f3 = <i64>load<i32>(f, 12), g3 = <i64>load<i32>(g, 12);
  const f4 = <i64>load<i32>(f, 16), g4 = <i64>load<i32>(g, 16);
  const f5 = <i64>load<i32>(f, 20), g5 = <i64>load<i32>(g, 20);
  const f6 = <i64>load<i32>(f, 24), g6 = <i64>load<i32>(g, 24);
  const f7 = <i64>load<i32>(f, 28), g7 = <i64>load<i32>(g, 28);
  const f8 = <i64>load<i32>(f, 32), g8 = <i64>load<i32>(g, 32);
  const f9 = <i64>load<i32>(f, 36), g9 = <i64>load<i32>(g, 36);
  const g1_19 = g1 * 19;
  const g2_19 = g2 * 19;
  const g3_19 = g3 * 19;
  const g4_19 = g4 * 19;
  const g5_19 = g5 * 19;
  const g6_19 = g6 * 19;
  const g7_19 = g7 * 19;
  const g8_19 = g8 * 19;
  const g9_19 = g9 * 19;
  const f1_2 = f1 * 2;
  const f3_2 = f3 * 2;
  const f5_2 = f5 * 2;
  const f7_2 = f7 * 2;
  const f9_2 = f9 * 2;
  let h0 = f0 * g0 + f1_2 * g9_19 + f2 * g8_19 + f3_2 * g7_19 + f4 * g6_19 + f5_2 * g5_19 + f6 * g4_19 + f7_2 * g3_19 + f8 * g2_19 + f9_2 * g1_19;
  let h1 = f0 * g1 + f1 * g0 + f2 * g9_19 + f3 * g8_19 + f4 * g7_19 + f5 * g6_19 + f6 * g5_19 + f7 * g4_19 + f8 * g3_19 + f9 * g2_19;
  let h2 = f0 * g2 + f1_2 * g1 + f2 * g0 + f3_2 * g9_19 + f4 * g8_19 + f5_2 * g7_19 + f6 * g6_19 + f7_2 * g5_19 + f8 * g4_19 + f9_2 * g3_19;
  let h3 = f0 * g3 + f1 * g2 + f2 * g1 + f3 * g0 + f4 * g9_19 + f5 * g8_19 + f6 * g7_19 + f7 * g6_19 + f8 * g5_19 + f9 * g4_19;
  let h4 = f0 * g4 + f1_2 * g3 + f2 * g2 + f3_2 * g1 + f4 * g0 + f5_2 * g9_19 + f6 * g8_19 + f7_2 * g7_19 + f8 * g6_19 + f9_2 * g5_19;
  let h5 = f0 * g5 + f1 * g4 + f2 * g3 + f3 * g2 + f4 * g1 + f5 * g0 + f6 * g9_19 + f7 * g8_19 + f8 * g7_19 + f9 * g6_19;
  let h6 = f0 * g6 + f1_2 * g5 + f2 * g4 + f3_2 * g3 + f4 * g2 + f5_2 * g1 + f6 * g0 + f7_2 * g9_19 + f8 * g8_19 + f9_2 * g7_19;
  let h7 = f0 * g7 + f1 * g6 + f2 * g5 + f3 * g4 + f4 * g3 + f5 * g2 + f6 * g1 + f7 * g0 + f8 * g9_19 + f9 * g8_19;
  let h8 = f0 * g8 + f1_2 * g7 + f2 * g6 + f3_2 * g5 + f4 * g4 + f5_2 * g3 + f6 * g2 + f7_2 * g1 + f8 * g0 + f9_2 * g9_19;
  let h9 = f0 * g9 + f1 * g8 + f2 * g7 + f3 * g6 + f4 * g5 + f5 * g4 + f6 * g3 + f7 * g2 + f8 * g1 + f9 * g0;
  carryStore(h, h0, h1, h2, h3, h4, h5, h6, h7, h8, h9);
}

/** h = f² mod p (ref10 fe_sq: 55 products, the symmetric ones doubled). h may alias f.
 *  About 1.8× faster than feMul(h, f, f); squarings dominate inversion, square roots and
 *  point doubling. */
export function feSq(h: usize, f: usize): void {
  const f0 = <i64>load<i32>(f, 0), f1 = <i64>load<i32>(f, 4), f2 = <i64>load<i32>(f, 8), f3 = <i64>load<i32>(f, 12);
  const f4 = <i64>load<i32>(f, 16), f5 = <i64>load<i32>(f, 20), f6 = <i64>load<i32>(f, 24), f7 = <i64>load<i32>(f, 28);
  const f8 = <i64>load<i32>(f, 32), f9 = <i64>load<i32>(f, 36);
  const f0_2 = f0 * 2, f1_2 = f1 * 2, f2_2 = f2 * 2, f3_2 = f3 * 2, f4_2 = f4 * 2;
  const f5_2 = f5 * 2, f6_2 = f6 * 2, f7_2 = f7 * 2;
  const f5_38 = f5 * 38, f6_19 = f6 * 19, f7_38 = f7 * 38, f8_19 = f8 * 19, f9_38 = f9 * 38;
  const h0 = f0 * f0 + f1_2 * f9_38 + f2_2 * f8_19 + f3_2 * f7_38 + f4_2 * f6_19 + f5 * f5_38;
  const h1 = f0_2 * f1 + f2 * f9_38 + f3_2 * f8_19 + f4 * f7_38 + f5_2 * f6_19;
  const h2 = f0_2 * f2 + f1_2 * f1 + f3_2 * f9_38 + f4_2 * f8_19 + f5_2 * f7_38 + f6 * f6_19;
  const h3 = f0_2 * f3 + f1_2 * f2 + f4 * f9_38 + f5_2 * f8_19 + f6 * f7_38;
  const h4 = f0_2 * f4 + f1_2 * f3_2 + f2 * f2 + f5_2 * f9_38 + f6_2 * f8_19 + f7 * f7_38;
  const h5 = f0_2 * f5 + f1_2 * f4 + f2_2 * f3 + f6 * f9_38 + f7_2 * f8_19;
  const h6 = f0_2 * f6 + f1_2 * f5_2 + f2_2 * f4 + f3_2 * f3 + f7_2 * f9_38 + f8 * f8_19;
  const h7 = f0_2 * f7 + f1_2 * f6 + f2_2 * f5 + f3_2 * f4 + f8 * f9_38;
  const h8 = f0_2 * f8 + f1_2 * f7_2 + f2_2 * f6 + f3_2 * f5_2 + f4 * f4 + f9 * f9_38;
  const h9 = f0_2 * f9 + f1_2 * f8 + f2_2 * f7 + f3_2 * f6 + f4_2 * f5;
  carryStore(h, h0, h1, h2, h3, h4, h5, h6, h7, h8, h9);
}

/** Carries the ten column sums of a product (ref10's interleaved chain, as in fe_mul) and
 *  stores the reduced limbs at h. Shared by feMul and feSq to keep the .wasm small. */
// @ts-ignore: decorator
@inline function carryStore(h: usize, h0: i64, h1: i64, h2: i64, h3: i64, h4: i64, h5: i64, h6: i64, h7: i64, h8: i64, h9: i64): void {
  let c: i64;
  c = (h0 + 0x2000000) >> 26; h1 += c; h0 -= c << 26;
  c = (h4 + 0x2000000) >> 26; h5 += c; h4 -= c << 26;
  c = (h1 + 0x1000000) >> 25; h2 += c; h1 -= c << 25;
  c = (h5 + 0x1000000) >> 25; h6 += c; h5 -= c << 25;
  c = (h2 + 0x2000000) >> 26; h3 += c; h2 -= c << 26;
  c = (h6 + 0x2000000) >> 26; h7 += c; h6 -= c << 26;
  c = (h3 + 0x1000000) >> 25; h4 += c; h3 -= c << 25;
  c = (h7 + 0x1000000) >> 25; h8 += c; h7 -= c << 25;
  c = (h4 + 0x2000000) >> 26; h5 += c; h4 -= c << 26;
  c = (h8 + 0x2000000) >> 26; h9 += c; h8 -= c << 26;
  c = (h9 + 0x1000000) >> 25; h0 += c * 19; h9 -= c << 25;
  c = (h0 + 0x2000000) >> 26; h1 += c; h0 -= c << 26;
  store<i32>(h, <i32>h0, 0);
  store<i32>(h, <i32>h1, 4);
  store<i32>(h, <i32>h2, 8);
  store<i32>(h, <i32>h3, 12);
  store<i32>(h, <i32>h4, 16);
  store<i32>(h, <i32>h5, 20);
  store<i32>(h, <i32>h6, 24);
  store<i32>(h, <i32>h7, 28);
  store<i32>(h, <i32>h8, 32);
  store<i32>(h, <i32>h9, 36);
}


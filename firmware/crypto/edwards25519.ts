// Group operations on the twisted Edwards curve edwards25519 (RFC 8032 §5.1.4), in the
// extended coordinates of Hisil–Wong–Carter–Dawson as laid out by ref10. A point is a run of
// field elements in memory:
//   P3     (X, Y, Z, T)          x = X/Z, y = Y/Z, xy = T/Z
//   P1P1   (X, Y, Z, T)          completed point: x = X/Z, y = Y/T
//   P2     (X, Y, Z)             projective
//   CACHED (Y+X, Y-X, Z, 2dT)    right operand of add/sub
//   PRECOMP(y+x, y-x, 2dxy)      affine right operand of madd/msub
import { FE, FE_D2, feAdd, feSub, feMul, feSq, feCopy, feZero, feOne, feInvert, feToBytes, feIsNegative, feCmov, feNeg } from './field25519';

export const P3: usize = 4 * FE;
export const P1P1: usize = 4 * FE;
export const P2: usize = 3 * FE;
export const CACHED: usize = 4 * FE;
export const PRECOMP: usize = 3 * FE;

const X: usize = 0, Y: usize = FE, Z: usize = 2 * FE, T: usize = 3 * FE;

const T0: usize = memory.data(<i32>FE, 8);
const RI: usize = memory.data(<i32>FE, 8);
const AX: usize = memory.data(<i32>FE, 8);
const AY: usize = memory.data(<i32>FE, 8);
const NEG: usize = memory.data(<i32>PRECOMP, 8);

/** p = neutral element (P3). */
export function geP3Zero(p: usize): void { feZero(p + X); feOne(p + Y); feOne(p + Z); feZero(p + T); }
/** p = neutral element (P2). */
export function geP2Zero(p: usize): void { feZero(p + X); feOne(p + Y); feOne(p + Z); }
/** p = neutral element (PRECOMP). */
export function gePrecompZero(p: usize): void { feOne(p); feOne(p + FE); feZero(p + 2 * FE); }

/** r (P1P1) = p (P3) + q (CACHED). */
export function geAdd(r: usize, p: usize, q: usize): void {
  feAdd(r + X, p + Y, p + X);
  feSub(r + Y, p + Y, p + X);
  feMul(r + Z, r + X, q);
  feMul(r + Y, r + Y, q + FE);
  feMul(r + T, q + 3 * FE, p + T);
  feMul(r + X, p + Z, q + 2 * FE);
  feAdd(T0, r + X, r + X);
  feSub(r + X, r + Z, r + Y);
  feAdd(r + Y, r + Z, r + Y);
  feAdd(r + Z, T0, r + T);
  feSub(r + T, T0, r + T);
}

/** r (P1P1) = p (P3) - q (CACHED). */
export function geSub(r: usize, p: usize, q: usize): void {
  feAdd(r + X, p + Y, p + X);
  feSub(r + Y, p + Y, p + X);
  feMul(r + Z, r + X, q + FE);
  feMul(r + Y, r + Y, q);
  feMul(r + T, q + 3 * FE, p + T);
  feMul(r + X, p + Z, q + 2 * FE);
  feAdd(T0, r + X, r + X);
  feSub(r + X, r + Z, r + Y);
  feAdd(r + Y, r + Z, r + Y);
  feSub(r + Z, T0, r + T);
  feAdd(r + T, T0, r + T);
}

/** r (P1P1) = p (P3) + q (PRECOMP). */
export function geMadd(r: usize, p: usize, q: usize): void {
  feAdd(r + X, p + Y, p + X);
  feSub(r + Y, p + Y, p + X);
  feMul(r + Z, r + X, q);
  feMul(r + Y, r + Y, q + FE);
  feMul(r + T, q + 2 * FE, p + T);
  feAdd(T0, p + Z, p + Z);
  feSub(r + X, r + Z, r + Y);
  feAdd(r + Y, r + Z, r + Y);
  feAdd(r + Z, T0, r + T);
  feSub(r + T, T0, r + T);
}

/** r (P1P1) = p (P3) - q (PRECOMP). */
export function geMsub(r: usize, p: usize, q: usize): void {
  feAdd(r + X, p + Y, p + X);
  feSub(r + Y, p + Y, p + X);
  feMul(r + Z, r + X, q + FE);
  feMul(r + Y, r + Y, q);
  feMul(r + T, q + 2 * FE, p + T);
  feAdd(T0, p + Z, p + Z);
  feSub(r + X, r + Z, r + Y);
  feAdd(r + Y, r + Z, r + Y);
  feSub(r + Z, T0, r + T);
  feAdd(r + T, T0, r + T);
}

/** r (P1P1) = 2·p, p a P2 (or the first three coordinates of a P3). */
export function geDbl(r: usize, p: usize): void {
  feSq(r + X, p + X);
  feSq(r + Z, p + Y);
  feSq(r + T, p + Z);
  feAdd(r + T, r + T, r + T);
  feAdd(r + Y, p + X, p + Y);
  feSq(T0, r + Y);
  feAdd(r + Y, r + Z, r + X);
  feSub(r + Z, r + Z, r + X);
  feSub(r + X, T0, r + Y);
  feSub(r + T, r + T, r + Z);
}

/** r (P2) = p (P1P1). r may alias p. */
export function geToP2(r: usize, p: usize): void {
  feMul(r + X, p + X, p + T);
  feMul(r + Y, p + Y, p + Z);
  feMul(r + Z, p + Z, p + T);
}

/** r (P3) = p (P1P1). r must not alias p. */
export function geToP3(r: usize, p: usize): void {
  feMul(r + X, p + X, p + T);
  feMul(r + Y, p + Y, p + Z);
  feMul(r + Z, p + Z, p + T);
  feMul(r + T, p + X, p + Y);
}

/** r (CACHED) = p (P3). */
export function geToCached(r: usize, p: usize): void {
  feAdd(r, p + Y, p + X);
  feSub(r + FE, p + Y, p + X);
  feCopy(r + 2 * FE, p + Z);
  feMul(r + 3 * FE, p + T, FE_D2);
}

/** r (PRECOMP) = p (P3), normalised to Z = 1 (one inversion). */
export function geToPrecomp(r: usize, p: usize): void {
  feInvert(RI, p + Z);
  feMul(AX, p + X, RI);
  feMul(AY, p + Y, RI);
  feAdd(r, AY, AX);
  feSub(r + FE, AY, AX);
  feMul(r + 2 * FE, AX, AY);
  feMul(r + 2 * FE, r + 2 * FE, FE_D2);
}

/** Writes the 32-byte encoding of p (P2 or P3): y with the sign of x in bit 255 (RFC 8032 §5.1.2). */
export function geToBytes(s: usize, p: usize): void {
  feInvert(RI, p + Z);
  feMul(AX, p + X, RI);
  feMul(AY, p + Y, RI);
  feToBytes(s, AY);
  store<u8>(s, load<u8>(s, 31) ^ <u8>(feIsNegative(AX) << 7), 31);
}

/** t = b ? -t : t for a PRECOMP t, b ∈ {0, 1}, constant-time. */
export function gePrecompCneg(t: usize, b: i32): void {
  feCopy(NEG, t + FE);
  feCopy(NEG + FE, t);
  feNeg(NEG + 2 * FE, t + 2 * FE);
  gePrecompCmov(t, NEG, b);
}

/** t = b ? u : t for PRECOMP t, u, constant-time (one masked pass over the 120 bytes). */
export function gePrecompCmov(t: usize, u: usize, b: i32): void {
  const m: u64 = 0 - <u64>b;
  for (let i: usize = 0; i < PRECOMP; i += 8) {
    const x = load<u64>(t + i);
    store<u64>(t + i, x ^ ((x ^ load<u64>(u + i)) & m));
  }
}

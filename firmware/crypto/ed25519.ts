// Ed25519 (RFC 8032 §5.1, "pure" variant): key derivation from a seed, signing, verification.
// Secret-dependent work (the fixed-base multiplication and scalar arithmetic) is constant-time:
// table entries are chosen by masked scans, never by secret indices. Verification handles
// public data only and uses variable-time sliding windows.
// The base tables (an 8×8 radix-16 comb, 7.5 KiB, and 8 odd multiples for verification) are
// computed on first use rather than shipped, to keep the .wasm small.
import { FE, FE_D, FE_SQRTM1, feAdd, feSub, feMul, feSq, feOne, feFromBytes, feToBytes, feIsZero, feIsNegative, feNeg, fePow22523, feCopy } from './field25519';
import { P3, P1P1, P2, CACHED, PRECOMP, geP3Zero, geP2Zero, gePrecompZero, geAdd, geSub, geMadd, geMsub, geDbl, geToP2, geToP3, geToCached, geToPrecomp, geToBytes, gePrecompCmov, gePrecompCneg } from './edwards25519';
import { scReduce, scMulAdd, scIsCanonical } from './scalar25519';
import { sha512Init, sha512Update, sha512Final } from './sha512';

// Base point B (RFC 8032 §5.1): affine x, y and xy as radix-2^25.5 limbs.
const BASE: usize = memory.data<i32>([
  52811034, 25909283, 16144682, 17082669, 27570973, 30858332, 40966398, 8378388, 20764389, 8758491,
  40265304, 26843545, 13421772, 20132659, 26843545, 6710886, 53687091, 13421772, 40265318, 26843545,
  1, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  28827043, 27438313, 39759291, 244362, 8635006, 11264893, 19351346, 13413597, 16611511, 27139452,
]);

// TABLE[i][j] = (j+1)·2^(4·CLASSES·i)·B. ref10 keeps 32 rows of 256^i·B (30 KiB) and needs 4
// doublings per signature; 8 rows (7.5 KiB) take 28 doublings, about 10 % more per signature,
// and leave a one-page board (the LR model's 64 KiB) room for the gateway's whole announcement.
const TABLE_ROWS = 8;
const CLASSES = 64 / TABLE_ROWS; // radix-16 digit classes: digit k is in row k / CLASSES
const TABLE: usize = memory.data(TABLE_ROWS * 8 * <i32>PRECOMP, 8);
const BI: usize = memory.data(8 * <i32>PRECOMP, 8);         // BI[j] = (2j+1)·B
let tablesReady = false;

// scratch points
const PA: usize = memory.data(<i32>P3, 8);
const PB: usize = memory.data(<i32>P3, 8);
const PC: usize = memory.data(<i32>P3, 8);
const R11: usize = memory.data(<i32>P1P1, 8);
const Q2: usize = memory.data(<i32>P2, 8);
const SEL: usize = memory.data(<i32>PRECOMP, 8);
const CA: usize = memory.data(<i32>CACHED, 8);
const AI: usize = memory.data(8 * <i32>CACHED, 8);
const DIG: usize = memory.data(64, 8);       // signed radix-16 digits of a secret scalar
const SLA: usize = memory.data(256, 8);      // sliding-window digits (public scalars)
const SLB: usize = memory.data(256, 8);

function computeTables(): void {
  // PA = 2^(4·CLASSES·i)·B, PB walks (j+1)·PA
  feCopy(PA, BASE); feCopy(PA + FE, BASE + FE); feOne(PA + 2 * FE); feCopy(PA + 3 * FE, BASE + 3 * FE);
  for (let i = 0; i < TABLE_ROWS; i++) {
    geToCached(CA, PA);
    memory.copy(PB, PA, P3);
    for (let j = 0; j < 8; j++) {
      geToPrecomp(TABLE + <usize>(i * 8 + j) * PRECOMP, PB);
      geAdd(R11, PB, CA); geToP3(PB, R11);
    }
    for (let k = 0; k < 4 * CLASSES; k++) { geDbl(R11, PA); geToP3(PA, R11); }
  }
  // BI[j] = (2j+1)·B
  feCopy(PA, BASE); feCopy(PA + FE, BASE + FE); feOne(PA + 2 * FE); feCopy(PA + 3 * FE, BASE + 3 * FE);
  geDbl(R11, PA); geToP3(PC, R11); geToCached(CA, PC); // CA = 2B
  memory.copy(PB, PA, P3);
  for (let j = 0; j < 8; j++) {
    geToPrecomp(BI + <usize>j * PRECOMP, PB);
    geAdd(R11, PB, CA); geToP3(PB, R11);
  }
  tablesReady = true;
}

/** Builds the base-point tables now (otherwise done on first use, about 3 ms). */
export function edInit(): void { if (!tablesReady) computeTables(); }

@inline function ctEqual(a: i32, b: i32): i32 { return <i32>(<u32>((a ^ b) - 1) >> 31); }

// SEL = TABLE[pos][|b|-1] negated if b < 0 (identity if b = 0), b ∈ [-8, 8], constant-time.
function select(pos: i32, b: i32): void {
  const neg = <i32>(<u32>b >> 31);
  const babs = b - ((-neg & b) << 1);
  gePrecompZero(SEL);
  const row = TABLE + <usize>(pos * 8) * PRECOMP;
  for (let j = 0; j < 8; j++) gePrecompCmov(SEL, row + <usize>j * PRECOMP, ctEqual(babs, j + 1));
  gePrecompCneg(SEL, neg);
}

/** h (P3) = a·B for a 32-byte scalar a with a[31] ≤ 127, constant-time. With signed radix-16
 *  digits e_k (a = Σ e_k·16^k) and k = CLASSES·i + c: a·B = Σ_c 16^c·Σ_i e_{CLASSES·i+c}·TABLE[i],
 *  evaluated by Horner in c (ref10 ge_scalarmult_base with CLASSES digit classes instead of two). */
export function geScalarMultBase(h: usize, a: usize): void {
  edInit();
  for (let i: usize = 0; i < 32; i++) {
    const v = <i32>load<u8>(a + i);
    store<i8>(DIG + 2 * i, <i8>(v & 15));
    store<i8>(DIG + 2 * i + 1, <i8>(v >> 4));
  }
  // recentre digits into [-8, 8)
  let carry: i32 = 0;
  for (let i: usize = 0; i < 63; i++) {
    const e = <i32>load<i8>(DIG + i) + carry;
    carry = (e + 8) >> 4;
    store<i8>(DIG + i, <i8>(e - (carry << 4)));
  }
  store<i8>(DIG + 63, <i8>(<i32>load<i8>(DIG + 63) + carry));
  geP3Zero(h);
  for (let c = CLASSES - 1; c >= 0; c--) {
    if (c < CLASSES - 1) { // h = 16·h
      geDbl(R11, h); geToP2(Q2, R11);
      geDbl(R11, Q2); geToP2(Q2, R11);
      geDbl(R11, Q2); geToP2(Q2, R11);
      geDbl(R11, Q2); geToP3(h, R11);
    }
    for (let k = c; k < 64; k += CLASSES) { select(k / CLASSES, <i32>load<i8>(DIG + <usize>k)); geMadd(R11, h, SEL); geToP3(h, R11); }
  }
  memory.fill(DIG, 0, 64);
  memory.fill(SEL, 0, PRECOMP);
}

// Sliding-window recoding of a public scalar into odd digits in [-15, 15] (ref10 slide).
function slide(r: usize, a: usize): void {
  for (let i: usize = 0; i < 256; i++) store<i8>(r + i, <i8>(1 & (load<u8>(a + (i >> 3)) >> <u8>(i & 7))));
  for (let i: i32 = 0; i < 256; i++) {
    if (!load<i8>(r + <usize>i)) continue;
    for (let b: i32 = 1; b <= 6 && i + b < 256; b++) {
      const rb = <i32>load<i8>(r + <usize>(i + b));
      if (!rb) continue;
      const ri = <i32>load<i8>(r + <usize>i);
      if (ri + (rb << b) <= 15) {
        store<i8>(r + <usize>i, <i8>(ri + (rb << b)));
        store<i8>(r + <usize>(i + b), 0);
      } else if (ri - (rb << b) >= -15) {
        store<i8>(r + <usize>i, <i8>(ri - (rb << b)));
        for (let k = i + b; k < 256; k++) {
          if (!load<i8>(r + <usize>k)) { store<i8>(r + <usize>k, 1); break; }
          store<i8>(r + <usize>k, 0);
        }
      } else break;
    }
  }
}

// r (P2) = a·A + b·B for public scalars a, b and a P3 point A (variable time).
function doubleScalarMult(r: usize, a: usize, A: usize, b: usize): void {
  slide(SLA, a); slide(SLB, b);
  geToCached(AI, A);
  geDbl(R11, A); geToP3(PC, R11); // PC = 2A
  for (let i: usize = 0; i < 7; i++) {
    geAdd(R11, PC, AI + i * CACHED); geToP3(PB, R11); geToCached(AI + (i + 1) * CACHED, PB);
  }
  geP2Zero(r);
  let i = 255;
  while (i >= 0 && !load<i8>(SLA + <usize>i) && !load<i8>(SLB + <usize>i)) i--;
  for (; i >= 0; i--) {
    geDbl(R11, r);
    const da = <i32>load<i8>(SLA + <usize>i), db = <i32>load<i8>(SLB + <usize>i);
    if (da > 0) { geToP3(PB, R11); geAdd(R11, PB, AI + <usize>(da >> 1) * CACHED); }
    else if (da < 0) { geToP3(PB, R11); geSub(R11, PB, AI + <usize>((-da) >> 1) * CACHED); }
    if (db > 0) { geToP3(PB, R11); geMadd(R11, PB, BI + <usize>(db >> 1) * PRECOMP); }
    else if (db < 0) { geToP3(PB, R11); geMsub(R11, PB, BI + <usize>((-db) >> 1) * PRECOMP); }
    geToP2(r, R11);
  }
}

const U: usize = memory.data(<i32>FE, 8);
const V: usize = memory.data(<i32>FE, 8);
const V3: usize = memory.data(<i32>FE, 8);
const VXX: usize = memory.data(<i32>FE, 8);
const CHK: usize = memory.data(<i32>FE, 8);
const ENC: usize = memory.data(32, 8);

/** Decodes a 32-byte point encoding into h (P3) as its negation -A (RFC 8032 §5.1.3, ref10
 *  ge_frombytes_negate_vartime). Returns false for y ≥ p, x² with no root, or x = 0 with sign 1. */
function decodeNegate(h: usize, s: usize): bool {
  // canonical y: re-encoding must give back the same 255 bits
  feFromBytes(h + FE, s);
  feToBytes(ENC, h + FE);
  store<u8>(ENC, load<u8>(ENC, 31) | (load<u8>(s, 31) & 0x80), 31);
  if (memory.compare(ENC, s, 32) != 0) return false;
  feOne(h + 2 * FE);
  feSq(U, h + FE);
  feMul(V, U, FE_D);
  feSub(U, U, h + 2 * FE);      // u = y² - 1
  feAdd(V, V, h + 2 * FE);      // v = d·y² + 1
  feSq(V3, V); feMul(V3, V3, V); // v³
  feSq(h, V3); feMul(h, h, V); feMul(h, h, U); // u·v⁷
  fePow22523(h, h);
  feMul(h, h, V3); feMul(h, h, U); // x = u·v³·(u·v⁷)^((p-5)/8)
  feSq(VXX, h); feMul(VXX, VXX, V);
  feSub(CHK, VXX, U);
  if (!feIsZero(CHK)) {
    feAdd(CHK, VXX, U);
    if (!feIsZero(CHK)) return false;
    feMul(h, h, FE_SQRTM1);
  }
  const sign = <i32>(load<u8>(s, 31) >> 7);
  if (feIsZero(h) && sign) return false;
  if (feIsNegative(h) == sign) feNeg(h, h);
  feMul(h + 3 * FE, h, h + FE);
  return true;
}

// ---- keys -------------------------------------------------------------------------------

const SK: usize = memory.data(64, 8);   // clamped scalar s (32) ‖ prefix (32), never exported
const PK: usize = memory.data(32, 8);   // public key A
const HB: usize = memory.data(64, 8);   // hash output scratch
const RS: usize = memory.data(32, 8);   // nonce scalar r
const KS: usize = memory.data(32, 8);   // challenge scalar k
const PT: usize = memory.data(<i32>P3, 8);
let provisioned = false;

/** Derives the device key from a 32-byte seed (RFC 8032 §5.1.5) and keeps it in firmware memory.
 *  The seed bytes at `seed` are wiped. */
export function edProvision(seed: usize): void {
  sha512Init(); sha512Update(seed, 32); sha512Final(SK);
  memory.fill(seed, 0, 32);
  store<u8>(SK, load<u8>(SK, 0) & 248, 0);          // clamp (§5.1.5 step 2)
  store<u8>(SK, (load<u8>(SK, 31) & 127) | 64, 31);
  geScalarMultBase(PT, SK);
  geToBytes(PK, PT);
  memory.fill(PT, 0, P3);
  provisioned = true;
}

/** True once a key has been provisioned. */
export function edHasKey(): bool { return provisioned; }

/** Address of the 32-byte public key (valid once provisioned). */
export function edPublicKey(): usize { return PK; }

/** Signs the message head[0..headLen) ‖ body[0..bodyLen) with the device key into 64 bytes at
 *  `sig` (RFC 8032 §5.1.6). Two segments let COSE sign its Sig_structure without copying the payload. */
export function edSign(sig: usize, head: usize, headLen: usize, body: usize, bodyLen: usize): void {
  edSignStart();
  sha512Update(head, headLen); sha512Update(body, bodyLen);
  edSignMid(sig);
  sha512Update(head, headLen); sha512Update(body, bodyLen);
  edSignEnd(sig);
}

// A signature over a message M the caller streams twice through sha512Update, once after
// edSignStart and again after edSignMid (RFC 8032 §5.1.6 hashes M in steps 2 and 4). The caller
// must produce the same M both times from memory it controls for the whole call: two different
// messages under one nonce r would reveal the key (s = (S₁ − S₂)/(k₁ − k₂)), so no export lets the
// host feed M.

/** Step 2 begins: SHA-512(prefix ‖ M); M follows. */
export function edSignStart(): void {
  sha512Init(); sha512Update(SK + 32, 32);
}

/** Ends step 2 (r = SHA-512(prefix ‖ M) mod L), step 3 (R = r·B into sig[0..32)) and begins step 4:
 *  SHA-512(R ‖ A ‖ M); M follows again. */
export function edSignMid(sig: usize): void {
  sha512Final(HB);
  scReduce(RS, HB);
  geScalarMultBase(PT, RS);
  geToBytes(sig, PT);
  sha512Init(); sha512Update(sig, 32); sha512Update(PK, 32);
}

/** Ends step 4 (k = SHA-512(R ‖ A ‖ M) mod L) and writes S = (r + k·s) mod L to sig[32..64). */
export function edSignEnd(sig: usize): void {
  sha512Final(HB);
  scReduce(KS, HB);
  scMulAdd(sig + 32, RS, KS, SK);
  memory.fill(RS, 0, 32); memory.fill(HB, 0, 64); memory.fill(PT, 0, P3);
}

const NA: usize = memory.data(<i32>P3, 8);
const RP: usize = memory.data(<i32>P2, 8);
const RCHK: usize = memory.data(32, 8);

/** 1 if the 32-byte encoding is a valid point of small order (8·A = O). A must be decoded into NA. */
function smallOrder(p: usize): bool {
  geDbl(R11, p); geToP2(Q2, R11);
  geDbl(R11, Q2); geToP2(Q2, R11);
  geDbl(R11, Q2); geToP2(Q2, R11);
  return feIsZero(Q2) != 0; // X = 0 ⇔ point is (0, ±1); with 8·A in the prime-order subgroup only O qualifies
}

/** Verification result codes. */
export const VERIFY_OK: i32 = 0;
export const VERIFY_BAD_KEY: i32 = 1;
export const VERIFY_BAD_SIG: i32 = 2;

/** Verifies a 64-byte signature over head[0..headLen) ‖ body[0..bodyLen) under the 32-byte public
 *  key `pk` (RFC 8032 §5.1.7, cofactorless: checks the encoding of [S]B - [k]A equals R).
 *  Rejects S ≥ L, non-canonical or off-curve A, and small-order A. Two segments as in edSign. */
export function edVerify(pk: usize, head: usize, headLen: usize, body: usize, bodyLen: usize, sig: usize): i32 {
  edInit();
  if (!decodeNegate(NA, pk)) return VERIFY_BAD_KEY;
  if (smallOrder(NA)) return VERIFY_BAD_KEY;
  if (!scIsCanonical(sig + 32)) return VERIFY_BAD_SIG;
  sha512Init(); sha512Update(sig, 32); sha512Update(pk, 32); sha512Update(head, headLen); sha512Update(body, bodyLen); sha512Final(HB);
  scReduce(KS, HB);
  doubleScalarMult(RP, KS, NA, sig + 32);
  geToBytes(RCHK, RP);
  return memory.compare(RCHK, sig, 32) == 0 ? VERIFY_OK : VERIFY_BAD_SIG;
}

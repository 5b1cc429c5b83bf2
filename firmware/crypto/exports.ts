// Crypto part of the firmware ABI (docs/firmware-crypto.md). Every export validates its
// arguments and returns an error code from ../errors (negative) instead of trapping.
// Data moves through two firmware-owned windows: the host writes inputs into `crypto_buf(len)`
// and reads results from `crypto_out()`; lengths are returned by the producing call.
import { OK, E_BAD_LENGTH, E_BAD_PARAM, E_NOT_READY, E_BAD_KEY, E_BAD_SIG, E_ENTROPY, E_TOO_LARGE } from '../errors';
import { sha256Digest } from './sha256';
import { sha512Digest } from './sha512';
import { edProvision, edHasKey, edPublicKey, edSign, edVerify, VERIFY_OK, VERIFY_BAD_KEY } from './ed25519';
import { parseRecord, payloadBound, REC_OK, REC_TRUNCATED, REC_TOO_LARGE } from './update';
import { coseSignUpdate, coseSignModel, coseForget, coseSignedLength, coseReadUpdate, COSE_PREFIX_ROOM, COSE_SUFFIX } from './cose';
import { rngSeed, rngSeedFromHost, rngSeeded, rngNext64 } from './chacha20';
import { clipL1, clipBy, l1Norm, addLaplace } from './dp';
import { verifyGlobal, writeGlobalRecord, GLOBAL_REC_BYTES } from './global';
import { kernel_stream_reserve, kernel_stream_ptr } from '../kernel/exports';
import { inStream, layoutEpoch, modelVersion, streamRoom } from '../kernel/layout';
import { ready } from '../kernel/model';

/** Largest input window (16 MiB). */
const MAX_IO: u32 = 16 << 20;
/** Largest message accepted by sign/verify/hash (also bounded by MAX_IO). */
const MAX_MSG: u32 = MAX_IO;
const MAX_DP_COUNT: u32 = 1 << 22;
const MAX_EPS_M: u32 = 1000000;       // ε ≤ 1000
const MAX_CLIP: u32 = 1 << 30;

// The windows live in the firmware's single host stream buffer (kernel/layout.ts), which sits
// after the model regions: in = stream[0, inCap), out = stream[inCap, inCap + outCap). So the
// crypto never overlaps the kernel's model, and nothing is allocated on a heap.
let inCap: usize = 0;
let outCap: usize = 0;
let winEpoch: u32 = 0;
let epsSpentM: u32 = 0;
// dp_privatize in pieces: the L1 norm accumulated over the first pass, then clip and ε of the second
let dpNorm: u64 = 0, dpCount: u64 = 0, dpClip: u32 = 0, dpEpsM: u32 = 0;
let dpPhase: i32 = 0; // 0 none, 1 summing the norm, 2 noising

// @ts-ignore: decorator
@inline function align16(x: usize): usize { return (x + 15) & ~<usize>15; }

/** Base of the stream with at least `total` bytes reserved, or 0 if memory is exhausted. */
function streamWindow(total: usize): usize {
  const p = kernel_stream_reserve(i32(total));
  return p < 0 ? 0 : <usize>p;
}

// A new layout (kernel_init / kernel_load) moved the stream, so what the windows held is stale
// anyway: they start again from nothing instead of keeping the largest size ever asked for.
function syncWindows(): bool {
  if (kernel_stream_ptr() < 0) return false;
  if (layoutEpoch() != winEpoch) { winEpoch = layoutEpoch(); inCap = 0; outCap = 0; }
  return true;
}

function ensureOut(n: usize): usize {
  if (!syncWindows()) return 0;
  if (n > outCap) outCap = align16(n);
  const base = streamWindow(inCap + outCap);
  return base == 0 ? 0 : base + inCap;
}

// Host pointers may only address the stream (kernel/layout.ts inStream): a pointer into the
// static data, tables or model would let a call overwrite them and make a later call trap.
// @ts-ignore: decorator
@inline function inMem(p: usize, len: usize): bool { return inStream(p, len); }

/** Version of the crypto ABI. */
export function crypto_version(): i32 { return 2; }

/** Input window of at least `len` bytes (≤ 16 MiB); 0 if too large. Earlier addresses go stale
 *  when a larger window is requested. @example const p = crypto_buf(32); */
export function crypto_buf(len: u32): usize {
  if (len > MAX_IO || !syncWindows()) return 0;
  if (len < 64) len = 64;
  if (<usize>len > inCap) inCap = align16(<usize>len);
  return streamWindow(inCap + outCap);
}

/** Output window: where the last producing call wrote its result. */
export function crypto_out(): usize { return ensureOut(64); }

/** Bytes the output window can hold without growing linear memory (at least 64 when memory has
 *  to grow for it): the chunk size a host passes to cose_update_read to keep its pages. */
export function crypto_out_room(): i32 {
  if (!syncWindows()) return 0;
  const room = streamRoom();
  return room > inCap + 64 ? i32(min<usize>(room - inCap, MAX_IO)) & ~15 : 64;
}

/** Bytes an input window (crypto_buf) can take without growing linear memory (at least 64). */
export function crypto_buf_room(): i32 {
  if (!syncWindows()) return 0;
  const room = streamRoom();
  return room > outCap + 64 ? i32(min<usize>(room - outCap, MAX_IO)) & ~15 : 64;
}

/** SHA-256 of `len` bytes at `p` (FIPS 180-4). Returns 32 (digest at crypto_out()) or an error. */
export function sha256(p: usize, len: u32): i32 {
  if (len > MAX_MSG || !inMem(p, len)) return E_BAD_LENGTH;
  sha256Digest(p, len, ensureOut(64));
  return 32;
}

/** SHA-512 of `len` bytes at `p`. Returns 64 (digest at crypto_out()) or an error. */
export function sha512(p: usize, len: u32): i32 {
  if (len > MAX_MSG || !inMem(p, len)) return E_BAD_LENGTH;
  sha512Digest(p, len, ensureOut(64));
  return 64;
}

/** Derives and keeps the device's Ed25519 key from a 32-byte seed (RFC 8032 §5.1.5); wipes the
 *  seed bytes. Returns 0, or E_BAD_KEY for a wrong length. No export ever returns the private key. */
export function ed25519_provision(seed: usize, len: u32): i32 {
  if (len != 32) return E_BAD_KEY;
  if (!inMem(seed, 32)) return E_BAD_LENGTH;
  edProvision(seed);
  return OK;
}

/** The device public key. Returns 32 (key at crypto_out()) or E_NOT_READY before provisioning. */
export function ed25519_public_key(): i32 {
  if (!edHasKey()) return E_NOT_READY;
  memory.copy(ensureOut(64), edPublicKey(), 32);
  return 32;
}

/** Signs `len` bytes at `msg` with the device key (RFC 8032 §5.1.6). Returns 64 (signature at
 *  crypto_out()), E_NOT_READY, E_TOO_LARGE or E_BAD_LENGTH. */
export function ed25519_sign(msg: usize, len: u32): i32 {
  if (!edHasKey()) return E_NOT_READY;
  if (len > MAX_MSG) return E_TOO_LARGE;
  if (!inMem(msg, len)) return E_BAD_LENGTH;
  edSign(ensureOut(64), msg, len, 0, 0);
  return 64;
}

/** Verifies an Ed25519 signature (RFC 8032 §5.1.7). Returns 0 if valid; E_BAD_KEY for a wrong
 *  key length, a non-canonical, off-curve or small-order key; E_BAD_SIG for a wrong signature
 *  length, S ≥ L or a mismatch; E_TOO_LARGE / E_BAD_LENGTH for bad message bounds. */
export function ed25519_verify(pk: usize, pkLen: u32, msg: usize, len: u32, sig: usize, sigLen: u32): i32 {
  if (pkLen != 32) return E_BAD_KEY;
  if (sigLen != 64) return E_BAD_SIG;
  if (len > MAX_MSG) return E_TOO_LARGE;
  if (!inMem(pk, 32) || !inMem(sig, 64) || !inMem(msg, len)) return E_BAD_LENGTH;
  const r = edVerify(pk, msg, len, 0, 0, sig);
  return r == VERIFY_OK ? OK : r == VERIFY_BAD_KEY ? E_BAD_KEY : E_BAD_SIG;
}

/** Encodes and signs a device update (RFC 9052 COSE_Sign1 over the CBOR payload) from the input
 *  record at rec[0..len) (layout in firmware/crypto/update.ts). Returns the message length
 *  (bytes at crypto_out()), or E_NOT_READY, E_BAD_LENGTH (truncated/trailing), E_BAD_PARAM
 *  (field out of range), E_TOO_LARGE (model over 4 MiB). */
export function cose_sign_update(rec: usize, len: u32): i32 {
  if (!edHasKey()) return E_NOT_READY;
  if (len > MAX_IO) return E_TOO_LARGE;
  if (!inMem(rec, len)) return E_BAD_LENGTH;
  coseForget();
  const r = parseRecord(rec, len);
  if (r != REC_OK) return r == REC_TRUNCATED ? E_BAD_LENGTH : r == REC_TOO_LARGE ? E_TOO_LARGE : E_BAD_PARAM;
  const out = ensureOut(COSE_PREFIX_ROOM + payloadBound() + COSE_SUFFIX);
  if (out == 0) return E_TOO_LARGE;
  return <i32>coseSignUpdate(out);
}

/** Like cose_sign_update, but the payload's model is the kernel's current model and the record
 *  at rec[0..len) has no `u32 modelLen ‖ model` (docs/firmware-crypto.md). The firmware serialises
 *  the payload from the model in memory, twice through SHA-512 (RFC 8032 §5.1.6), so the message
 *  never has to fit in the stream. Returns the message length; cose_update_read writes its bytes.
 *  E_NOT_READY (no key, no model), E_BAD_LENGTH, E_BAD_PARAM, E_TOO_LARGE. */
export function cose_sign_model(rec: usize, len: u32): i32 {
  if (!edHasKey() || !ready) return E_NOT_READY;
  if (len > MAX_IO) return E_TOO_LARGE;
  if (!inMem(rec, len)) return E_BAD_LENGTH;
  coseForget();
  const r = parseRecord(rec, len, true);
  if (r != REC_OK) return r == REC_TRUNCATED ? E_BAD_LENGTH : r == REC_TOO_LARGE ? E_TOO_LARGE : E_BAD_PARAM;
  return <i32>coseSignModel(modelVersion());
}

/** Writes bytes [off, off + len) of the message the last cose_sign_model made (clipped to its end)
 *  at crypto_out(); returns the number written. The record must stay where it was and the model
 *  unchanged in between: E_NOT_READY once the model changed (training, kernel_init, kernel_load)
 *  or another update was signed; E_BAD_LENGTH for off beyond the end; E_TOO_LARGE if the window
 *  cannot grow to `len`. */
export function cose_update_read(off: u32, len: u32): i32 {
  const total = coseSignedLength(modelVersion());
  if (total == 0) return E_NOT_READY;
  if (<usize>off > total || len > MAX_IO) return E_BAD_LENGTH;
  const n = min<usize>(<usize>len, total - <usize>off);
  const out = ensureOut(n);
  if (out == 0) return E_TOO_LARGE;
  coseReadUpdate(out, <usize>off, n);
  return <i32>n;
}

/** Verifies the gateway's global-model announcement: the COSE_Sign1 of `len` bytes at `msg`
 *  (docs/protocol.md, "Global-model announcement") under the 32-byte gateway key at `pk`.
 *  Returns GLOBAL_REC_BYTES with the record at crypto_out() (layout in firmware/crypto/global.ts:
 *  round, model address and length inside `msg`, done, task, hash), or E_BAD_LENGTH (range outside
 *  the stream), E_TOO_LARGE, E_BAD_MSG (CBOR/COSE structure, payload fields, hash ≠ SHA-256 of
 *  the model), E_BAD_KEY, E_BAD_SIG. @example const n = cose_verify_global(p + 32, len, p); */
export function cose_verify_global(msg: usize, len: u32, pk: usize): i32 {
  if (len > MAX_IO) return E_TOO_LARGE;
  if (!inMem(msg, len) || !inMem(pk, 32)) return E_BAD_LENGTH;
  const r = verifyGlobal(msg, len, pk);
  if (r != OK) return r;
  const out = ensureOut(GLOBAL_REC_BYTES);
  if (out == 0) return E_TOO_LARGE;
  writeGlobalRecord(out);
  return <i32>GLOBAL_REC_BYTES;
}

/** Seeds the DP noise generator (ChaCha20 key) with 32 bytes at `p`: the same seed reproduces
 *  the same noise. Returns 0 or E_BAD_KEY. */
export function dp_seed(p: usize, len: u32): i32 {
  if (len != 32) return E_BAD_KEY;
  if (!inMem(p, 32)) return E_BAD_LENGTH;
  rngSeed(p);
  memory.fill(p, 0, 32);
  return OK;
}

/** Seeds the DP noise generator from the host entropy import. Returns 0 or E_ENTROPY. */
export function dp_seed_entropy(): i32 { return rngSeedFromHost() ? OK : E_ENTROPY; }

// shared argument checks for the DP exports
function dpCheck(p: usize, count: u32): i32 {
  if (count > MAX_DP_COUNT) return E_TOO_LARGE;
  if ((p & 3) != 0 || !inMem(p, <usize>count << 2)) return E_BAD_LENGTH;
  if (!rngSeeded() && !rngSeedFromHost()) return E_ENTROPY;
  return OK;
}

/** Local ε-DP for an int32 update of `count` values at `p` (seed paper Eq. 3–5): clips it to L1
 *  norm ≤ clipL1, then adds discrete Laplace noise of scale 2·clipL1/ε with ε = epsM/1000.
 *  Returns epsM (the ε spent, ×1000) or E_BAD_PARAM / E_BAD_LENGTH / E_TOO_LARGE / E_ENTROPY. */
export function dp_privatize(p: usize, count: u32, clip: u32, epsM: u32): i32 {
  if (clip == 0 || clip > MAX_CLIP || epsM == 0 || epsM > MAX_EPS_M) return E_BAD_PARAM;
  const c = dpCheck(p, count);
  if (c != OK) return c;
  clipL1(p, count, clip);
  addLaplace(p, count, <u64>clip * 2000, <u64>epsM); // scale t/s = 2C / (epsM/1000)
  epsSpentM = epsSpentM + epsM < epsSpentM ? u32.MAX_VALUE : epsSpentM + epsM;
  return <i32>epsM;
}

/** Starts dp_privatize over a vector too large for the stream: pass 1 feeds every piece to
 *  dp_l1_add (the whole vector's L1 norm), dp_privatize_begin fixes clip and ε (spent once, here),
 *  pass 2 feeds the same pieces in the same order to dp_privatize_part. The result equals one
 *  dp_privatize over the whole vector (clipping uses the whole norm; the noise is drawn in order). */
export function dp_l1_begin(): i32 { dpNorm = 0; dpCount = 0; dpPhase = 1; return OK; }

/** Adds the L1 norm of `count` int32 values at `p` (pass 1). */
export function dp_l1_add(p: usize, count: u32): i32 {
  if (dpPhase != 1) return E_NOT_READY;
  if (count > MAX_DP_COUNT || dpCount + <u64>count > <u64>MAX_DP_COUNT) return E_TOO_LARGE;
  if ((p & 3) != 0 || !inMem(p, <usize>count << 2)) return E_BAD_LENGTH;
  dpNorm += l1Norm(p, count); dpCount += <u64>count;
  return OK;
}

/** Ends pass 1: clip and ε as in dp_privatize; spends ε. Returns epsM or an error. */
export function dp_privatize_begin(clip: u32, epsM: u32): i32 {
  if (dpPhase != 1) return E_NOT_READY;
  if (clip == 0 || clip > MAX_CLIP || epsM == 0 || epsM > MAX_EPS_M) return E_BAD_PARAM;
  if (!rngSeeded() && !rngSeedFromHost()) return E_ENTROPY;
  dpClip = clip; dpEpsM = epsM; dpPhase = 2;
  epsSpentM = epsSpentM + epsM < epsSpentM ? u32.MAX_VALUE : epsSpentM + epsM;
  return <i32>epsM;
}

/** Clips (by the whole vector's norm) and noises the next `count` values at `p` (pass 2). */
export function dp_privatize_part(p: usize, count: u32): i32 {
  if (dpPhase != 2) return E_NOT_READY;
  const c = dpCheck(p, count);
  if (c != OK) return c;
  clipBy(p, count, <u64>dpClip, dpNorm);
  addLaplace(p, count, <u64>dpClip * 2000, <u64>dpEpsM);
  return OK;
}

/** Adds discrete Laplace noise P(x) ∝ exp(-|x|·s/t) to `count` int32 values at `p` (no clipping;
 *  for calibration and statistical tests). Returns 0 or an error. */
export function dp_laplace(p: usize, count: u32, t: u32, s: u32): i32 {
  if (t == 0 || s == 0) return E_BAD_PARAM;
  const c = dpCheck(p, count);
  if (c != OK) return c;
  addLaplace(p, count, t, s);
  return OK;
}

/** Fills `len` bytes at `p` from the DP generator's ChaCha20 stream (RFC 8439 §2.3, nonce 0),
 *  8 bytes per draw (a tail shorter than 8 discards the rest of its draw). Returns 0 or an error. */
export function dp_random(p: usize, len: u32): i32 {
  if (!inMem(p, len)) return E_BAD_LENGTH;
  const c = dpCheck(p & ~3, 0);
  if (c != OK) return c;
  for (let i: u32 = 0; i < len; i += 8) {
    const v = rngNext64();
    if (len - i >= 8) store<u64>(p + i, v);
    else for (let k: u32 = 0; k < len - i; k++) store<u8>(p + i + k, <u8>(v >> (<u64>k << 3)));
  }
  return OK;
}

/** ε spent by dp_privatize since start (×1000, basic composition, saturating). */
export function dp_spent_m(): u32 { return epsSpentM; }

// The gateway's global-model announcement, verified on the device (docs/protocol.md,
// "Global-model announcement"; protocol/announcement.ts decodeAnnouncement is the host-side twin).
// Message: COSE_Sign1 (RFC 9052 §4.2) 18([protected, unprotected, payload, signature]), tag
// optional, protected = {1: -8 (EdDSA, RFC 9053 §2.2), 4: kid, ...}; signature = Ed25519 over the
// Sig_structure ["Signature1", protected, h'', payload] (§4.4). Payload: the map
// {task, round, hash, model, done}; keys the firmware does not know (chain, height, block, cert,
// committee) are skipped, so fields added to the announcement later do not break boards. hash
// must equal SHA-256(model). The chain and the finality certificate are not checked here.
// Record written for the host (little-endian, GLOBAL_REC_BYTES):
//   u64 round ‖ u32 model address ‖ u32 model length ‖ u32 done ‖ u32 task length
//   ‖ hash (32) ‖ task (64, zero-padded)
import { OK, E_BAD_MSG, E_BAD_KEY, E_BAD_SIG } from '../errors';
import { rdAt, rdHead, rdString, rdSkip, rdArg, rdLeft, rdPos, MAX_SKIP_DEPTH } from './cbor-read';
import { cborAt, cborPos, cborHead, cborBytes, cborRaw } from './cbor';
import { CTX } from './cose';
import { edVerify, VERIFY_OK, VERIFY_BAD_KEY } from './ed25519';
import { sha256Digest } from './sha256';
import { MAX_MODEL, MAX_TASK } from './update';

export const GLOBAL_REC_BYTES: usize = 120;
const MAX_PROTECTED: usize = 128;
const MAX_SAFE: u64 = 0x1fffffffffffff; // 2^53 - 1
const MAX_KID: u64 = 64;

const SIGHDR: usize = memory.data(160, 8); // Sig_structure up to the payload's bytes
const HASH: usize = memory.data(32, 8);    // SHA-256 of the model, recomputed

// Text keys of the payload map, as bytes (compared after the text head).
const K_TASK: usize = memory.data<u8>([0x74, 0x61, 0x73, 0x6b]);
const K_ROUND: usize = memory.data<u8>([0x72, 0x6f, 0x75, 0x6e, 0x64]);
const K_HASH: usize = memory.data<u8>([0x68, 0x61, 0x73, 0x68]);
const K_MODEL: usize = memory.data<u8>([0x6d, 0x6f, 0x64, 0x65, 0x6c]);
const K_DONE: usize = memory.data<u8>([0x64, 0x6f, 0x6e, 0x65]);
const F_TASK = 1, F_ROUND = 2, F_HASH = 4, F_MODEL = 8, F_DONE = 16, F_ALL = 31;

let round: u64 = 0;
let modelPtr: usize = 0, modelLen: usize = 0;
let taskPtr: usize = 0, taskLen: usize = 0;
let hashPtr: usize = 0;
let done: u32 = 0;

// @ts-ignore: decorator
@inline function isKey(p: usize, len: usize, k: usize, kLen: usize): bool {
  return len == kLen && memory.compare(p, k, len) == 0;
}

/** Protected header {1: -8, 4: kid, ...} at [p, p + len): true if alg is EdDSA and a kid of
 *  1..64 bytes is present (RFC 9052 §3.1). */
function checkProtected(p: usize, len: usize): bool {
  rdAt(p, len);
  if (rdHead() != 5 || rdArg > 8) return false;
  const n = <i32>rdArg;
  let alg = false, kid = false;
  for (let i = 0; i < n; i++) {
    const mt = rdHead();
    if (mt == 0 && rdArg == 1) {            // alg
      if (alg || rdHead() != 1 || rdArg != 7) return false; // -8 = major 1, argument 7
      alg = true;
    } else if (mt == 0 && rdArg == 4) {     // kid
      if (kid || rdString(2) == 0 || rdArg == 0 || rdArg > MAX_KID) return false;
      kid = true;
    } else if (mt < 0 || !rdSkip(MAX_SKIP_DEPTH)) return false;
  }
  return alg && kid && rdLeft() == 0;
}

/** Payload map at [p, p + len): fills the fields; false on a missing, duplicate or ill-typed field. */
function parsePayload(p: usize, len: usize): bool {
  rdAt(p, len);
  if (rdHead() != 5 || rdArg > <u64>len) return false;
  const n = <i32>rdArg;
  let seen = 0;
  for (let i = 0; i < n; i++) {
    const k = rdString(3);
    if (k == 0) return false;             // every key of the announcement is text
    const kl = <usize>rdArg;
    let f = 0;
    if (isKey(k, kl, K_TASK, 4)) {
      f = F_TASK; taskPtr = rdString(3); taskLen = <usize>rdArg;
      if (taskPtr == 0 || taskLen == 0 || taskLen > <usize>MAX_TASK) return false;
    } else if (isKey(k, kl, K_ROUND, 5)) {
      f = F_ROUND;
      if (rdHead() != 0 || rdArg > MAX_SAFE) return false;
      round = rdArg;
    } else if (isKey(k, kl, K_HASH, 4)) {
      f = F_HASH; hashPtr = rdString(2);
      if (hashPtr == 0 || rdArg != 32) return false;
    } else if (isKey(k, kl, K_MODEL, 5)) {
      f = F_MODEL; modelPtr = rdString(2); modelLen = <usize>rdArg;
      if (modelPtr == 0 || modelLen > <usize>MAX_MODEL) return false;
    } else if (isKey(k, kl, K_DONE, 4)) {
      f = F_DONE;
      if (rdHead() != 7 || (rdArg != 20 && rdArg != 21)) return false; // false / true (§3.3)
      done = <u32>(rdArg == 21);
    } else if (!rdSkip(MAX_SKIP_DEPTH)) return false;
    if (f != 0) { if ((seen & f) != 0) return false; seen |= f; }
  }
  return seen == F_ALL && rdLeft() == 0;
}

/** Verifies the announcement of `len` bytes at `msg` under the gateway key at `pk`. OK, or
 *  E_BAD_MSG / E_BAD_KEY / E_BAD_SIG. On OK the fields are kept for writeGlobalRecord. */
export function verifyGlobal(msg: usize, len: usize, pk: usize): i32 {
  rdAt(msg, len);
  let mt = rdHead();
  if (mt == 6) { if (rdArg != 18) return E_BAD_MSG; mt = rdHead(); } // tag 18 = COSE_Sign1
  if (mt != 4 || rdArg != 4) return E_BAD_MSG;
  const prot = rdString(2), protLen = <usize>rdArg;
  if (prot == 0 || protLen > MAX_PROTECTED) return E_BAD_MSG;
  if (rdHead() != 5) return E_BAD_MSG;                    // unprotected header: a map, ignored
  const uCount = rdArg;
  if (uCount > <u64>rdLeft()) return E_BAD_MSG;
  for (let i: u64 = 0; i < uCount * 2; i++) if (!rdSkip(MAX_SKIP_DEPTH)) return E_BAD_MSG;
  const payload = rdString(2), payloadLen = <usize>rdArg;
  if (payload == 0) return E_BAD_MSG;
  const sig = rdString(2);
  if (sig == 0 || rdArg != 64 || rdLeft() != 0) return E_BAD_MSG;
  const end = rdPos();
  if (!checkProtected(prot, protLen)) return E_BAD_MSG;

  // Sig_structure = ["Signature1", protected, external_aad = h'', payload] (RFC 9052 §4.4)
  cborAt(SIGHDR);
  cborHead(4, 4); cborRaw(CTX, 11); cborBytes(prot, protLen); cborHead(2, 0); cborHead(2, <u64>payloadLen);
  const v = edVerify(pk, SIGHDR, cborPos() - SIGHDR, payload, payloadLen, sig);
  if (v != VERIFY_OK) return v == VERIFY_BAD_KEY ? E_BAD_KEY : E_BAD_SIG;

  if (!parsePayload(payload, payloadLen) || rdPos() > end) return E_BAD_MSG;
  sha256Digest(modelPtr, <u32>modelLen, HASH);
  if (memory.compare(HASH, hashPtr, 32) != 0) return E_BAD_MSG;
  return OK;
}

/** Writes the record of the last verified announcement at `out` (GLOBAL_REC_BYTES). */
export function writeGlobalRecord(out: usize): void {
  memory.fill(out, 0, GLOBAL_REC_BYTES);
  store<u64>(out, round);
  store<u32>(out, <u32>modelPtr, 8);
  store<u32>(out, <u32>modelLen, 12);
  store<u32>(out, done, 16);
  store<u32>(out, <u32>taskLen, 20);
  memory.copy(out + 24, HASH, 32);
  memory.copy(out + 56, taskPtr, taskLen);
}

// The device update payload (protocol/update.ts `encodeUpdate`), built in firmware from a
// flat little-endian input record written by the host:
//   u8 kidLen (1..64) ‖ kid ‖ u8 taskLen (1..64) ‖ task (UTF-8)
//   ‖ u64 round ‖ u64 n ‖ u64 ctr   (each ≤ 2^53 - 1)
//   ‖ base (32 bytes) ‖ u32 modelLen ‖ model
//   ‖ u8 metricCount (≤ 16) ‖ { u8 keyLen (1..32) ‖ key (UTF-8) ‖ i64 value (|v| ≤ 2^53 - 1) }*
// The payload is the deterministic CBOR map (RFC 8949 §4.2.1) with text keys in encoded-byte
// order: n, ctr, base, task, model, round, metrics; metrics are sorted the same way.
// A record for cose_sign_model has no `u32 modelLen ‖ model`: the model is the kernel's, and the
// payload is generated from it wherever it goes (firmware/crypto/sink.ts).
import { put, putHead, putInt, putString, putModel } from './sink';
import { modelBlobBytes } from '../kernel/blob';

export const MAX_KID: u32 = 64;
export const MAX_TASK: u32 = 64;
export const MAX_METRICS: u32 = 16;
export const MAX_METRIC_KEY: u32 = 32;
export const MAX_MODEL: u32 = 4 << 20;
const MAX_SAFE: u64 = 0x1fffffffffffff; // 2^53 - 1, the gateway's integer range

/** Parsed view of an input record (pointers into the record). */
export let kidPtr: usize = 0, kidLen: u32 = 0;
let taskPtr: usize = 0, taskLen: u32 = 0;
let round: u64 = 0, nSamples: u64 = 0, ctr: u64 = 0;
let basePtr: usize = 0, modelPtr: usize = 0, modelLen: u32 = 0;
let metricCount: u32 = 0;
let kernelModel = false;
const MKEY: usize = memory.data(16 * 4, 4);  // key pointer per metric (sorted)
const MLEN: usize = memory.data(16 * 4, 4);  // key length
const MVAL: usize = memory.data(16 * 8, 8);  // value

// Encoded text keys of the top-level map, in canonical order.
const K_N: usize = memory.data<u8>([0x61, 0x6e]);
const K_CTR: usize = memory.data<u8>([0x63, 0x63, 0x74, 0x72]);
const K_BASE: usize = memory.data<u8>([0x64, 0x62, 0x61, 0x73, 0x65]);
const K_TASK: usize = memory.data<u8>([0x64, 0x74, 0x61, 0x73, 0x6b]);
const K_MODEL: usize = memory.data<u8>([0x65, 0x6d, 0x6f, 0x64, 0x65, 0x6c]);
const K_ROUND: usize = memory.data<u8>([0x65, 0x72, 0x6f, 0x75, 0x6e, 0x64]);
const K_METRICS: usize = memory.data<u8>([0x67, 0x6d, 0x65, 0x74, 0x72, 0x69, 0x63, 0x73]);

/** Parse result codes. */
export const REC_OK: i32 = 0;
export const REC_TRUNCATED: i32 = 1;   // record ends early or has trailing bytes
export const REC_INVALID: i32 = 2;     // a field is out of range
export const REC_TOO_LARGE: i32 = 3;   // model exceeds MAX_MODEL

// RFC 8949 §4.2.1 order of text keys: shorter encoding first, then bytewise.
function keyLess(a: i32, b: i32): bool {
  const la = load<u32>(MLEN + (<usize>a << 2)), lb = load<u32>(MLEN + (<usize>b << 2));
  if (la != lb) return la < lb;
  return memory.compare(load<usize>(MKEY + (<usize>a << 2)), load<usize>(MKEY + (<usize>b << 2)), la) < 0;
}

function swapMetric(a: i32, b: i32): void {
  const ka = load<u32>(MKEY + (<usize>a << 2)), la = load<u32>(MLEN + (<usize>a << 2)), va = load<i64>(MVAL + (<usize>a << 3));
  store<u32>(MKEY + (<usize>a << 2), load<u32>(MKEY + (<usize>b << 2)));
  store<u32>(MLEN + (<usize>a << 2), load<u32>(MLEN + (<usize>b << 2)));
  store<i64>(MVAL + (<usize>a << 3), load<i64>(MVAL + (<usize>b << 3)));
  store<u32>(MKEY + (<usize>b << 2), ka); store<u32>(MLEN + (<usize>b << 2), la); store<i64>(MVAL + (<usize>b << 3), va);
}

/** Parses and range-checks the input record at p[0..len); with `fromKernel` the record has no
 *  model field and the payload carries the kernel's model (which the caller checked is loaded). */
export function parseRecord(p: usize, len: usize, fromKernel: bool = false): i32 {
  kernelModel = fromKernel;
  const end = p + len;
  let q = p;
  if (q + 1 > end) return REC_TRUNCATED;
  kidLen = load<u8>(q); kidPtr = q + 1; q += 1 + kidLen;
  if (kidLen == 0 || kidLen > MAX_KID) return REC_INVALID;
  if (q + 1 > end) return REC_TRUNCATED;
  taskLen = load<u8>(q); taskPtr = q + 1; q += 1 + taskLen;
  if (taskLen == 0 || taskLen > MAX_TASK) return REC_INVALID;
  if (q + 24 + 32 + (fromKernel ? 0 : 4) > end) return REC_TRUNCATED;
  round = load<u64>(q); nSamples = load<u64>(q, 8); ctr = load<u64>(q, 16); q += 24;
  if (round > MAX_SAFE || nSamples > MAX_SAFE || ctr > MAX_SAFE) return REC_INVALID;
  basePtr = q; q += 32;
  if (fromKernel) { modelLen = <u32>modelBlobBytes(); modelPtr = 0; }
  else { modelLen = load<u32>(q); modelPtr = q + 4; q += 4 + <usize>min<u32>(modelLen, MAX_MODEL + 1); }
  if (modelLen > MAX_MODEL) return REC_TOO_LARGE;
  if (q + 1 > end) return REC_TRUNCATED;
  metricCount = load<u8>(q); q += 1;
  if (metricCount > MAX_METRICS) return REC_INVALID;
  for (let i: u32 = 0; i < metricCount; i++) {
    if (q + 1 > end) return REC_TRUNCATED;
    const kl = <u32>load<u8>(q);
    if (kl == 0 || kl > MAX_METRIC_KEY) return REC_INVALID;
    if (q + 1 + kl + 8 > end) return REC_TRUNCATED;
    const v = load<i64>(q + 1 + kl);
    if (v > <i64>MAX_SAFE || v < -<i64>MAX_SAFE) return REC_INVALID;
    store<u32>(MKEY + (<usize>i << 2), <u32>(q + 1));
    store<u32>(MLEN + (<usize>i << 2), kl);
    store<i64>(MVAL + (<usize>i << 3), v);
    q += 1 + kl + 8;
  }
  if (q != end) return REC_TRUNCATED;
  // insertion sort (≤ 16 entries); equal keys would make the map invalid (§5.6)
  for (let i = 1; i < <i32>metricCount; i++) {
    for (let j = i; j > 0 && keyLess(j, j - 1); j--) swapMetric(j, j - 1);
  }
  for (let i = 1; i < <i32>metricCount; i++) if (!keyLess(i - 1, i)) return REC_INVALID;
  return REC_OK;
}

/** Upper bound of the payload size for the parsed record. */
export function payloadBound(): usize {
  return <usize>modelLen + <usize>taskLen + <usize>metricCount * (2 + MAX_METRIC_KEY + 9) + 128;
}

/** Emits the CBOR payload of the parsed record into the current sink (firmware/crypto/sink.ts). */
export function writePayload(): void {
  putHead(5, 7);
  put(K_N, 2); putHead(0, nSamples);
  put(K_CTR, 4); putHead(0, ctr);
  put(K_BASE, 5); putString(2, basePtr, 32);
  put(K_TASK, 5); putString(3, taskPtr, taskLen);
  put(K_MODEL, 6);
  if (kernelModel) putModel(modelLen); else putString(2, modelPtr, modelLen);
  put(K_ROUND, 6); putHead(0, round);
  put(K_METRICS, 8); putHead(5, metricCount);
  for (let i: usize = 0; i < metricCount; i++) {
    putString(3, load<u32>(MKEY + (i << 2)), load<u32>(MLEN + (i << 2)));
    putInt(load<i64>(MVAL + (i << 3)));
  }
}

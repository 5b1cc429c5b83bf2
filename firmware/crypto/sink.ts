// A byte sink for messages the firmware serialises more than once without holding them whole:
// the same writer (firmware/crypto/update.ts writePayload, firmware/crypto/cose.ts) counts the
// bytes, feeds them to SHA-512 (Ed25519 hashes the message twice, RFC 8032 §5.1.6), copies them
// to memory, or copies out one byte range [lo, hi) of the message (the host reads a COSE_Sign1
// larger than the stream window piece by piece). CBOR heads are the shortest form (RFC 8949
// §4.2.1), as in cbor.ts.
import { sha512Update } from './sha512';
import { blobWrite } from '../kernel/blob';

export const SINK_MEM: i32 = 0, SINK_COUNT: i32 = 1, SINK_HASH: i32 = 2, SINK_RANGE: i32 = 3;

let mode: i32 = SINK_COUNT;
let pos: usize = 0;            // bytes emitted so far
let cur: usize = 0;            // SINK_MEM: next write address
let lo: usize = 0, hi: usize = 0, dst: usize = 0; // SINK_RANGE: wanted range, written at dst
const HD: usize = memory.data(16, 8);   // one encoded head
const CH: usize = memory.data(256, 8);  // model bytes on their way into SHA-512

/** Writes emitted bytes from address `p` on. */
export function sinkMem(p: usize): void { mode = SINK_MEM; cur = p; pos = 0; }
/** Only counts. */
export function sinkCount(): void { mode = SINK_COUNT; pos = 0; }
/** Feeds the running SHA-512 context (the caller initialised it). */
export function sinkHash(): void { mode = SINK_HASH; pos = 0; }
/** Copies emitted bytes [from, from + len) to `to`. */
export function sinkRange(to: usize, from: usize, len: usize): void { mode = SINK_RANGE; dst = to; lo = from; hi = from + len; pos = 0; }
/** Bytes emitted since the sink was set. */
export function sinkPos(): usize { return pos; }

/** Emits `n` bytes at `p`. */
export function put(p: usize, n: usize): void {
  if (mode == SINK_MEM) { memory.copy(cur, p, n); cur += n; }
  else if (mode == SINK_HASH) sha512Update(p, n);
  else if (mode == SINK_RANGE) {
    const s = max<usize>(pos, lo), e = min<usize>(pos + n, hi);
    if (s < e) memory.copy(dst + (s - lo), p + (s - pos), e - s);
  }
  pos += n;
}

/** Emits a head: major type `mt` with argument `v`, shortest form. */
export function putHead(mt: u8, v: u64): void {
  const m = <u8>(mt << 5);
  let n: usize = 1;
  if (v < 24) store<u8>(HD, m | <u8>v);
  else if (v < 0x100) { store<u8>(HD, m | 24); store<u8>(HD, <u8>v, 1); n = 2; }
  else if (v < 0x10000) { store<u8>(HD, m | 25); store<u16>(HD + 1, bswap<u16>(<u16>v)); n = 3; }
  else if (v < 0x100000000) { store<u8>(HD, m | 26); store<u32>(HD + 1, bswap<u32>(<u32>v)); n = 5; }
  else { store<u8>(HD, m | 27); store<u64>(HD + 1, bswap<u64>(v)); n = 9; }
  put(HD, n);
}

/** Emits a signed integer (major type 0 or 1). */
export function putInt(v: i64): void {
  if (v >= 0) putHead(0, <u64>v);
  else putHead(1, <u64>(-1 - v));
}

/** Emits a byte string (major 2) or text string (major 3) with the contents at `p`. */
export function putString(mt: u8, p: usize, n: usize): void { putHead(mt, <u64>n); put(p, n); }

/** Emits the kernel's current model blob (`n` = its length) as a byte string, generated from
 *  the model in memory (firmware/kernel/blob.ts blobWrite) rather than from a copy. */
export function putModel(n: usize): void {
  putHead(2, <u64>n);
  if (mode == SINK_MEM) { blobWrite(cur, 0, i32(n)); cur += n; }
  else if (mode == SINK_HASH) {
    for (let o: usize = 0; o < n; o += 256) {
      const k = min<usize>(256, n - o);
      blobWrite(CH, i32(o), i32(k));
      sha512Update(CH, k);
    }
  } else if (mode == SINK_RANGE) {
    const s = max<usize>(pos, lo), e = min<usize>(pos + n, hi);
    if (s < e) blobWrite(dst + (s - lo), i32(s - pos), i32(e - s));
  }
  pos += n;
}

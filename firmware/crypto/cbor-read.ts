// Bounded CBOR reader (RFC 8949 §3) over one buffer [pos, end): heads, string contents and
// skipping of whole items. Every read checks the remaining length first, so truncated or hostile
// input ends in a `false`/-1 result, never in a read past `end`. Indefinite lengths (§3.2.2) and
// the reserved additional information values 28–30 are rejected: the gateway encodes
// deterministically (§4.2.1).

let pos: usize = 0;
let end: usize = 0;
/** Argument of the last head read (length, count, integer or simple value). */
export let rdArg: u64 = 0;

/** Largest nesting that rdSkip follows (unknown fields of an announcement are shallow). */
export const MAX_SKIP_DEPTH: i32 = 4;

/** Starts reading [p, p + len). */
export function rdAt(p: usize, len: usize): void { pos = p; end = p + len; }
/** Current read position. */
export function rdPos(): usize { return pos; }
/** Bytes left. */
export function rdLeft(): usize { return end - pos; }

/** Reads one head; returns its major type 0..7 (argument in rdArg) or -1 if truncated or
 *  unsupported. For major type 7 the argument is the simple value or the float's bits. */
export function rdHead(): i32 {
  if (pos >= end) return -1;
  const b = <u32>load<u8>(pos);
  pos++;
  const mt = <i32>(b >> 5), ai = b & 31;
  if (ai < 24) { rdArg = <u64>ai; return mt; }
  if (ai > 27) return -1;
  const n: usize = <usize>1 << (ai - 24); // 1, 2, 4 or 8 bytes, big-endian (§3)
  if (end - pos < n) return -1;
  let v: u64 = 0;
  for (let i: usize = 0; i < n; i++) v = (v << 8) | <u64>load<u8>(pos + i);
  pos += n;
  rdArg = v;
  return mt;
}

/** Reads a string of major type `mt` (2 bytes, 3 text) and returns the address of its content
 *  (length in rdArg), or 0 if the item is another type or runs past the end. */
export function rdString(mt: i32): usize {
  if (rdHead() != mt || rdArg > <u64>(end - pos)) return 0;
  const p = pos;
  pos += <usize>rdArg;
  return p;
}

/** Skips one whole item, following at most `depth` levels of arrays, maps and tags. */
export function rdSkip(depth: i32): bool {
  const mt = rdHead();
  if (mt < 0) return false;
  if (mt == 2 || mt == 3) {
    if (rdArg > <u64>(end - pos)) return false;
    pos += <usize>rdArg;
    return true;
  }
  if (mt == 4 || mt == 5) {
    if (depth <= 0) return false;
    // every item takes at least one byte: a count above the bytes left is truncated input
    if (rdArg > <u64>(end - pos)) return false;
    const items = <u32>rdArg * (mt == 5 ? 2 : 1);
    for (let i: u32 = 0; i < items; i++) if (!rdSkip(depth - 1)) return false;
    return true;
  }
  if (mt == 6) return depth > 0 && rdSkip(depth - 1);
  return true; // integers and simple values/floats: the head was the whole item
}

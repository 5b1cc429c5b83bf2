// Minimal deterministic CBOR writer (RFC 8949 §4.2.1: preferred, shortest-form heads).
// The caller supplies a destination with enough room; the writer only moves a cursor.

let cur: usize = 0;

/** Sets the write cursor. */
export function cborAt(p: usize): void { cur = p; }
/** Current write cursor. */
export function cborPos(): usize { return cur; }

/** Writes a head: major type `mt` (0..7) with argument `v`, in the shortest form (§3, §4.2.1). */
export function cborHead(mt: u8, v: u64): void {
  const m = <u8>(mt << 5);
  if (v < 24) { store<u8>(cur, m | <u8>v); cur += 1; }
  else if (v < 0x100) { store<u8>(cur, m | 24); store<u8>(cur, <u8>v, 1); cur += 2; }
  else if (v < 0x10000) { store<u8>(cur, m | 25); store<u16>(cur + 1, bswap<u16>(<u16>v)); cur += 3; }
  else if (v < 0x100000000) { store<u8>(cur, m | 26); store<u32>(cur + 1, bswap<u32>(<u32>v)); cur += 5; }
  else { store<u8>(cur, m | 27); store<u64>(cur + 1, bswap<u64>(v)); cur += 9; }
}

/** Size in bytes of a head with argument `v`. */
export function cborHeadSize(v: u64): usize {
  return v < 24 ? 1 : v < 0x100 ? 2 : v < 0x10000 ? 3 : v < 0x100000000 ? 5 : 9;
}

/** Writes a signed integer (major type 0 or 1). */
export function cborInt(v: i64): void {
  if (v >= 0) cborHead(0, <u64>v);
  else cborHead(1, <u64>(-1 - v));
}

/** Writes a byte string (major type 2) copied from `p`. */
export function cborBytes(p: usize, len: usize): void {
  cborHead(2, <u64>len);
  memory.copy(cur, p, len);
  cur += len;
}

/** Writes a text string (major type 3) of UTF-8 bytes at `p` (not validated here). */
export function cborText(p: usize, len: usize): void {
  cborHead(3, <u64>len);
  memory.copy(cur, p, len);
  cur += len;
}

/** Writes raw bytes (an already-encoded item). */
export function cborRaw(p: usize, len: usize): void {
  memory.copy(cur, p, len);
  cur += len;
}

// Arithmetic modulo the group order L = 2^252 + 27742317777372353535851937790883648493
// (RFC 8032 §5.1). Scalars are 32 little-endian bytes. Reduction follows TweetNaCl's modL:
// radix-2^8 signed digits in i64, a fixed number of steps, no data-dependent branches.

// L in radix 2^8 (low 32 bytes; the top bytes are 0 except L[31] = 0x10).
const LB: usize = memory.data<u8>([
  0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
]);
const XS: usize = memory.data(64 * 8, 8); // 64 i64 digits

@inline function xs(i: i32): usize { return XS + (<usize>i << 3); }
@inline function lb(i: i32): i64 { return <i64>load<u8>(LB + <usize>i); }

// r (32 bytes) = XS mod L; wipes XS.
function modL(r: usize): void {
  let carry: i64;
  for (let i = 63; i >= 32; i--) {
    carry = 0;
    let j = i - 32;
    const xi = load<i64>(xs(i));
    for (; j < i - 12; j++) {
      let x = load<i64>(xs(j)) + carry - 16 * xi * lb(j - (i - 32));
      carry = (x + 128) >> 8;
      store<i64>(xs(j), x - (carry << 8));
    }
    store<i64>(xs(j), load<i64>(xs(j)) + carry);
    store<i64>(xs(i), 0);
  }
  carry = 0;
  const x31 = load<i64>(xs(31)) >> 4;
  for (let j = 0; j < 32; j++) {
    const x = load<i64>(xs(j)) + carry - x31 * lb(j);
    carry = x >> 8;
    store<i64>(xs(j), x & 255);
  }
  for (let j = 0; j < 32; j++) store<i64>(xs(j), load<i64>(xs(j)) - carry * lb(j));
  for (let i = 0; i < 32; i++) {
    const x = load<i64>(xs(i));
    store<i64>(xs(i + 1), load<i64>(xs(i + 1)) + (x >> 8));
    store<u8>(r + <usize>i, <u8>(x & 255));
  }
  memory.fill(XS, 0, 64 * 8);
}

/** r (32 bytes) = s (64 bytes, little-endian) mod L. r may alias s. */
export function scReduce(r: usize, s: usize): void {
  for (let i = 0; i < 64; i++) store<i64>(xs(i), <i64>load<u8>(s + <usize>i));
  modL(r);
}

/** r = (a + b·c) mod L for 32-byte a, b, c (RFC 8032 §5.1.6 step 5: S = r + k·s). */
export function scMulAdd(r: usize, a: usize, b: usize, c: usize): void {
  memory.fill(XS, 0, 64 * 8);
  for (let i = 0; i < 32; i++) store<i64>(xs(i), <i64>load<u8>(a + <usize>i));
  for (let i = 0; i < 32; i++) {
    const bi = <i64>load<u8>(b + <usize>i);
    for (let j = 0; j < 32; j++) {
      store<i64>(xs(i + j), load<i64>(xs(i + j)) + bi * <i64>load<u8>(c + <usize>j));
    }
  }
  modL(r);
}

/** 1 if the 32-byte s is < L (canonical, RFC 8032 §5.1.7 step 1), else 0. Public data: variable time. */
export function scIsCanonical(s: usize): i32 {
  for (let i = 31; i >= 0; i--) {
    const a = load<u8>(s + <usize>i), l = load<u8>(LB + <usize>i);
    if (a < l) return 1;
    if (a > l) return 0;
  }
  return 0; // s == L
}

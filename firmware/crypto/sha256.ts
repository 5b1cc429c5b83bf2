// SHA-256 (FIPS 180-4 §6.2). One static context: sha256Init → sha256Update* → sha256Final.
// All state lives in static memory; nothing is allocated.

// FIPS 180-4 §4.2.2: first 32 bits of the fractional parts of the cube roots of the first 64 primes.
const K: usize = memory.data<u32>([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

// byte swap without the library polyfill call (FIPS 180-4 words are big-endian)
@inline function bs32(x: u32): u32 { return (rotl<u32>(x, 8) & 0x00ff00ff) | (rotr<u32>(x, 8) & 0xff00ff00); }

const ST: usize = memory.data(32, 16);  // H0..H7
const W: usize = memory.data(256, 16);  // message schedule
const BUF: usize = memory.data(64, 16); // partial block
let bufLen: usize = 0;
let total: u64 = 0;

/** FIPS 180-4 §6.2.2: one 64-byte block at `p` into the running state. */
function compress(p: usize): void {
  for (let i: usize = 0; i < 64; i += 4) store<u32>(W + i, bs32(load<u32>(p + i)));
  for (let i: usize = 64; i < 256; i += 4) {
    const w15 = load<u32>(W + i - 60), w2 = load<u32>(W + i - 8);
    const s0 = rotr<u32>(w15, 7) ^ rotr<u32>(w15, 18) ^ (w15 >>> 3);
    const s1 = rotr<u32>(w2, 17) ^ rotr<u32>(w2, 19) ^ (w2 >>> 10);
    store<u32>(W + i, load<u32>(W + i - 64) + s0 + load<u32>(W + i - 28) + s1);
  }
  let a = load<u32>(ST, 0), b = load<u32>(ST, 4), c = load<u32>(ST, 8), d = load<u32>(ST, 12);
  let e = load<u32>(ST, 16), f = load<u32>(ST, 20), g = load<u32>(ST, 24), h = load<u32>(ST, 28);
  let t: u32, x: u32, y: u32 = b ^ c; // Maj(a,b,c) = b ^ ((a^b) & (b^c)); this a^b is the next round's b^c
  // 8 rounds per iteration with the working variables renamed instead of shifted (§6.2.2 step 3)
  for (let i: usize = 0; i < 256; i += 32) {
    t = h + (rotr<u32>(e, 6) ^ rotr<u32>(e, 11) ^ rotr<u32>(e, 25)) + (g ^ (e & (f ^ g))) + load<u32>(K + i, 0) + load<u32>(W + i, 0);
    d += t; h = t + (rotr<u32>(a, 2) ^ rotr<u32>(a, 13) ^ rotr<u32>(a, 22)) + (b ^ ((x = a ^ b) & y)); y = x;
    t = g + (rotr<u32>(d, 6) ^ rotr<u32>(d, 11) ^ rotr<u32>(d, 25)) + (f ^ (d & (e ^ f))) + load<u32>(K + i, 4) + load<u32>(W + i, 4);
    c += t; g = t + (rotr<u32>(h, 2) ^ rotr<u32>(h, 13) ^ rotr<u32>(h, 22)) + (a ^ ((x = h ^ a) & y)); y = x;
    t = f + (rotr<u32>(c, 6) ^ rotr<u32>(c, 11) ^ rotr<u32>(c, 25)) + (e ^ (c & (d ^ e))) + load<u32>(K + i, 8) + load<u32>(W + i, 8);
    b += t; f = t + (rotr<u32>(g, 2) ^ rotr<u32>(g, 13) ^ rotr<u32>(g, 22)) + (h ^ ((x = g ^ h) & y)); y = x;
    t = e + (rotr<u32>(b, 6) ^ rotr<u32>(b, 11) ^ rotr<u32>(b, 25)) + (d ^ (b & (c ^ d))) + load<u32>(K + i, 12) + load<u32>(W + i, 12);
    a += t; e = t + (rotr<u32>(f, 2) ^ rotr<u32>(f, 13) ^ rotr<u32>(f, 22)) + (g ^ ((x = f ^ g) & y)); y = x;
    t = d + (rotr<u32>(a, 6) ^ rotr<u32>(a, 11) ^ rotr<u32>(a, 25)) + (c ^ (a & (b ^ c))) + load<u32>(K + i, 16) + load<u32>(W + i, 16);
    h += t; d = t + (rotr<u32>(e, 2) ^ rotr<u32>(e, 13) ^ rotr<u32>(e, 22)) + (f ^ ((x = e ^ f) & y)); y = x;
    t = c + (rotr<u32>(h, 6) ^ rotr<u32>(h, 11) ^ rotr<u32>(h, 25)) + (b ^ (h & (a ^ b))) + load<u32>(K + i, 20) + load<u32>(W + i, 20);
    g += t; c = t + (rotr<u32>(d, 2) ^ rotr<u32>(d, 13) ^ rotr<u32>(d, 22)) + (e ^ ((x = d ^ e) & y)); y = x;
    t = b + (rotr<u32>(g, 6) ^ rotr<u32>(g, 11) ^ rotr<u32>(g, 25)) + (a ^ (g & (h ^ a))) + load<u32>(K + i, 24) + load<u32>(W + i, 24);
    f += t; b = t + (rotr<u32>(c, 2) ^ rotr<u32>(c, 13) ^ rotr<u32>(c, 22)) + (d ^ ((x = c ^ d) & y)); y = x;
    t = a + (rotr<u32>(f, 6) ^ rotr<u32>(f, 11) ^ rotr<u32>(f, 25)) + (h ^ (f & (g ^ h))) + load<u32>(K + i, 28) + load<u32>(W + i, 28);
    e += t; a = t + (rotr<u32>(b, 2) ^ rotr<u32>(b, 13) ^ rotr<u32>(b, 22)) + (c ^ ((x = b ^ c) & y)); y = x;
  }
  store<u32>(ST, load<u32>(ST, 0) + a, 0); store<u32>(ST, load<u32>(ST, 4) + b, 4);
  store<u32>(ST, load<u32>(ST, 8) + c, 8); store<u32>(ST, load<u32>(ST, 12) + d, 12);
  store<u32>(ST, load<u32>(ST, 16) + e, 16); store<u32>(ST, load<u32>(ST, 20) + f, 20);
  store<u32>(ST, load<u32>(ST, 24) + g, 24); store<u32>(ST, load<u32>(ST, 28) + h, 28);
}

/** Starts a new SHA-256 computation (FIPS 180-4 §5.3.3 initial hash value). */
export function sha256Init(): void {
  store<u32>(ST, 0x6a09e667, 0); store<u32>(ST, 0xbb67ae85, 4);
  store<u32>(ST, 0x3c6ef372, 8); store<u32>(ST, 0xa54ff53a, 12);
  store<u32>(ST, 0x510e527f, 16); store<u32>(ST, 0x9b05688c, 20);
  store<u32>(ST, 0x1f83d9ab, 24); store<u32>(ST, 0x5be0cd19, 28);
  bufLen = 0; total = 0;
}

/** Absorbs `len` bytes at `p`. */
export function sha256Update(p: usize, len: usize): void {
  total += <u64>len;
  if (bufLen) {
    const take = min<usize>(64 - bufLen, len);
    memory.copy(BUF + bufLen, p, take);
    bufLen += take; p += take; len -= take;
    if (bufLen < 64) return;
    compress(BUF); bufLen = 0;
  }
  while (len >= 64) { compress(p); p += 64; len -= 64; }
  if (len) { memory.copy(BUF, p, len); bufLen = len; }
}

/** Pads (FIPS 180-4 §5.1.1), writes the 32-byte digest to `out` and wipes the context. */
export function sha256Final(out: usize): void {
  const bits = total << 3;
  store<u8>(BUF + bufLen, 0x80);
  memory.fill(BUF + bufLen + 1, 0, 63 - bufLen);
  if (bufLen >= 56) { compress(BUF); memory.fill(BUF, 0, 56); }
  store<u64>(BUF + 56, bswap<u64>(bits));
  compress(BUF);
  for (let i: usize = 0; i < 32; i += 4) store<u32>(out + i, bs32(load<u32>(ST + i)));
  memory.fill(ST, 0, 32); memory.fill(BUF, 0, 64); memory.fill(W, 0, 256);
  bufLen = 0; total = 0;
}

/** One-shot SHA-256 of `len` bytes at `p` into 32 bytes at `out`. */
export function sha256Digest(p: usize, len: usize, out: usize): void {
  sha256Init(); sha256Update(p, len); sha256Final(out);
}

// ChaCha20 keystream (RFC 8439 §2.3) as the firmware's CSPRNG: key = 32-byte seed,
// nonce = 0, 32-bit block counter. Used only for differential-privacy noise.
import { host_entropy } from '../bindings';

const KEY: usize = memory.data(32, 8);
const BLK: usize = memory.data(64, 8);   // current keystream block
const X: usize = memory.data(64, 8);     // working state
let counter: u32 = 0;
let used: usize = 64;                     // bytes of BLK consumed
let seeded = false;

// RFC 8439 §2.1 quarter round on words a, b, c, d of X.
function qr(a: usize, b: usize, c: usize, d: usize): void {
  let va = load<u32>(X + a * 4), vb = load<u32>(X + b * 4), vc = load<u32>(X + c * 4), vd = load<u32>(X + d * 4);
  va += vb; vd = rotl<u32>(vd ^ va, 16);
  vc += vd; vb = rotl<u32>(vb ^ vc, 12);
  va += vb; vd = rotl<u32>(vd ^ va, 8);
  vc += vd; vb = rotl<u32>(vb ^ vc, 7);
  store<u32>(X + a * 4, va); store<u32>(X + b * 4, vb); store<u32>(X + c * 4, vc); store<u32>(X + d * 4, vd);
}

/** Writes the 64-byte ChaCha20 block for (key, counter, nonce = 0) into `out` (RFC 8439 §2.3). */
export function chachaBlock(out: usize, key: usize, ctr: u32): void {
  store<u32>(X, 0x61707865, 0); store<u32>(X, 0x3320646e, 4); store<u32>(X, 0x79622d32, 8); store<u32>(X, 0x6b206574, 12);
  memory.copy(X + 16, key, 32);
  store<u32>(X, ctr, 48); store<u32>(X, 0, 52); store<u32>(X, 0, 56); store<u32>(X, 0, 60);
  memory.copy(out, X, 64);
  for (let i = 0; i < 10; i++) {
    qr(0, 4, 8, 12); qr(1, 5, 9, 13); qr(2, 6, 10, 14); qr(3, 7, 11, 15);
    qr(0, 5, 10, 15); qr(1, 6, 11, 12); qr(2, 7, 8, 13); qr(3, 4, 9, 14);
  }
  for (let i: usize = 0; i < 64; i += 4) store<u32>(out + i, load<u32>(out + i) + load<u32>(X + i));
  memory.fill(X, 0, 64);
}

/** Keys the generator with 32 bytes at `seed` (same seed ⇒ same stream). */
export function rngSeed(seed: usize): void {
  memory.copy(KEY, seed, 32);
  counter = 0; used = 64; seeded = true;
}

/** Keys the generator from the host entropy import. Returns false if the host failed. */
export function rngSeedFromHost(): bool {
  if (host_entropy(KEY, 32) != 0) return false;
  counter = 0; used = 64; seeded = true;
  return true;
}

/** True once the generator has a key. */
export function rngSeeded(): bool { return seeded; }

/** Next 64 uniformly random bits. */
export function rngNext64(): u64 {
  if (used > 56) {
    chachaBlock(BLK, KEY, counter++);
    if (counter == 0) { // 2^32 blocks: rekey from the stream's own next block rather than repeat
      chachaBlock(KEY, KEY, 0xffffffff);
    }
    used = 0;
  }
  const v = load<u64>(BLK + used);
  used += 8;
  return v;
}

/** Uniform integer in [0, n) for n ≥ 1, unbiased (rejects draws below 2^64 mod n). */
export function rngBelow(n: u64): u64 {
  const reject = (0 - n) % n; // 2^64 mod n
  let x = rngNext64();
  while (x < reject) x = rngNext64();
  return x % n;
}

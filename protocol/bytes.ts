// Byte helpers shared by the ledger: SHA-256 (node:crypto), hex, comparison, big-endian keys.
import { hash } from 'node:crypto';

/** SHA-256 of `data` (FIPS 180-4), by OpenSSL: the gateway hashes every ≈ 16 KB update envelope
 *  and model, where the pure-JS hash cost ≈ 0.4 ms each (a 10,000-board round: ≈ 4 s). */
export function sha256(data: Uint8Array): Uint8Array {
  // one-shot (no Hash object per call); a plain Uint8Array view of the digest, no copy
  const d = hash('sha256', data, 'buffer');
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

/** Lower-case hex of `b`. */
export function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

/** Bytes of a hex string; throws on odd length or non-hex characters. */
export function fromHex(s: string): Uint8Array {
  if (s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) throw new Error(`not hex: ${s.slice(0, 20)}`);
  return new Uint8Array(Buffer.from(s, 'hex'));
}

/** True when `a` and `b` hold the same bytes. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Concatenation of byte arrays. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

/** 8-byte big-endian encoding, so LevelDB key order is numeric order. */
export function u64be(n: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(n));
  return out;
}

/** Reads an 8-byte big-endian integer at `off`. */
export function readU64be(b: Uint8Array, off = 0): number {
  return Number(new DataView(b.buffer, b.byteOffset + off, 8).getBigUint64(0));
}

export const ZERO32 = new Uint8Array(32);

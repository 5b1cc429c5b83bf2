// Ed25519 keys from a 32-byte seed (RFC 8032 §5.1.5 private key = seed), via node:crypto
// PKCS#8 (RFC 8410), and the seeded provisioning seeds a demo or simulated run derives.
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { sha256 } from '@noble/hashes/sha2.js';

const PKCS8_ED25519_PREFIX = Uint8Array.from([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]);

/** node KeyObjects and the raw public key for an Ed25519 seed. */
export function ed25519FromSeed(seed: Uint8Array): { privateKey: KeyObject; publicKey: KeyObject; publicRaw: Uint8Array } {
  if (seed.length !== 32) throw new RangeError('Ed25519 seed must be 32 bytes');
  const der = new Uint8Array(48);
  der.set(PKCS8_ED25519_PREFIX, 0);
  der.set(seed, 16);
  const privateKey = createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' });
  const publicKey = createPublicKey(privateKey);
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  return { privateKey, publicKey, publicRaw: new Uint8Array(spki.subarray(spki.length - 32)) };
}

/** A deterministic 32-byte seed for a named role in a seeded run (simulation and demo only). */
export function demoSeed(role: string, seed: number): Uint8Array {
  return sha256(new TextEncoder().encode(`edgechain-fl/demo/${role}/${seed}`));
}

// Ed25519 signing identities (RFC 8032) on node:crypto. A Signer is what authors a transaction
// or proposes a block; verification caches KeyObjects because building one from raw bytes
// costs more than the signature check itself.
import { createPrivateKey, createPublicKey, sign as nodeSign, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { ed25519PublicKey } from '../wire/cose.js';
import { toHex } from './bytes.js';

/** An identity that can sign: `id` is its ledger name, `publicKey` the raw 32-byte Ed25519 key. */
export interface Signer {
  id: string;
  publicKey: Uint8Array;
  sign(msg: Uint8Array): Uint8Array;
}

// RFC 8410 PKCS#8 prefix for an Ed25519 private key seed.
const PKCS8_ED25519_PREFIX = Uint8Array.from([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]);

/** Signer from a 32-byte Ed25519 seed (RFC 8032 §5.1.5). Throws on a wrong seed length.
 *  @example const gw = nodeSigner('gw-1', randomBytes(32)) */
export function nodeSigner(id: string, seed32: Uint8Array): Signer {
  if (seed32.length !== 32) throw new Error('Ed25519 seed must be 32 bytes');
  const der = new Uint8Array(48);
  der.set(PKCS8_ED25519_PREFIX, 0);
  der.set(seed32, 16);
  const priv = createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' });
  const spki = createPublicKey(priv).export({ format: 'der', type: 'spki' });
  const publicKey = new Uint8Array(spki.subarray(spki.length - 32));
  return { id, publicKey, sign: (msg) => new Uint8Array(nodeSign(null, msg, priv)) };
}

const keyCache = new Map<string, KeyObject>();

/** Verifies an Ed25519 signature (RFC 8032 §5.1.7); false on any malformed input. */
export function verifySig(publicKey: Uint8Array, msg: Uint8Array, sig: Uint8Array): boolean {
  if (publicKey.length !== 32 || sig.length !== 64) return false;
  const k = toHex(publicKey);
  let ko = keyCache.get(k);
  if (!ko) {
    try { ko = ed25519PublicKey(publicKey); } catch { return false; }
    if (keyCache.size > 100_000) keyCache.clear();
    keyCache.set(k, ko);
  }
  return nodeVerify(null, msg, ko, sig);
}

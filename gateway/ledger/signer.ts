// Ed25519 signing identities (RFC 8032) on node:crypto. A Signer is what authors a transaction
// or proposes a block; verification caches KeyObjects because building one from raw bytes
// costs more than the signature check itself.
import { sign as nodeSign, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { ed25519FromSeed } from '../../protocol/keys.js';
import { publicKeyObject } from '../../protocol/cose.js';
import { ownSignatures } from './verdicts.js';

/** An identity that can sign: `id` is its ledger name, `publicKey` the raw 32-byte Ed25519 key. */
export interface Signer {
  id: string;
  publicKey: Uint8Array;
  sign(msg: Uint8Array): Uint8Array;
}

/** Signer from a 32-byte Ed25519 seed (RFC 8032 §5.1.5). Throws on a wrong seed length.
 *  @example const gw = nodeSigner('gw-1', randomBytes(32)) */
export function nodeSigner(id: string, seed32: Uint8Array): Signer {
  const { privateKey, publicRaw } = ed25519FromSeed(seed32);
  return {
    id, publicKey: publicRaw,
    // Each signature made here is remembered (verdicts.ts) so this gateway's own block commit
    // need not verify it again; peers and `ledger verify` still do.
    sign: (msg) => { const sig = new Uint8Array(nodeSign(null, msg, privateKey)); ownSignatures.record(publicRaw, msg, sig); return sig; },
  };
}

/** A signature already known valid (a verdict, verdicts.ts), so it need not be verified again. */
export type KnownSig = (publicKey: Uint8Array, msg: Uint8Array, sig: Uint8Array) => boolean;

/** `known`'s verdict, or else a full verification. */
export function verifyKnown(known: KnownSig | undefined, publicKey: Uint8Array, msg: Uint8Array, sig: Uint8Array): boolean {
  return known?.(publicKey, msg, sig) === true || verifySig(publicKey, msg, sig);
}

/** Verifies an Ed25519 signature (RFC 8032 §5.1.7); false on any malformed input. */
export function verifySig(publicKey: Uint8Array, msg: Uint8Array, sig: Uint8Array): boolean {
  if (publicKey.length !== 32 || sig.length !== 64) return false;
  let ko: KeyObject;
  try { ko = publicKeyObject(publicKey); } catch { return false; }
  return nodeVerify(null, msg, ko, sig);
}

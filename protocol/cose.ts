// COSE_Sign1 with Ed25519 (RFC 9052 §4.2–4.4, RFC 9053 §2.2 alg EdDSA = -8).
// Encoding side (used by the host-side signer and the tests) and verification side
// (used by the gateway, node:crypto Ed25519 + cbor-x: independent of the firmware's code).
import { createPublicKey, verify as nodeVerify, sign as nodeSign, type KeyObject } from 'node:crypto';
import { encodeCanonical, decodeBounded, CborError, Tag } from './cbor.js';

export const COSE_SIGN1_TAG = 18;          // RFC 9052 §4.2
export const COSE_HDR_ALG = 1;             // RFC 9052 §3.1
export const COSE_HDR_KID = 4;
export const COSE_ALG_EDDSA = -8;          // RFC 9053 §2.2

/** Typed rejection of a COSE message; `reason` is a stable machine-readable code. */
export class CoseError extends Error {
  constructor(readonly reason: string, message: string) {
    super(message);
    this.name = 'CoseError';
  }
}

/** Encoded protected header: {1: -8, 4: kid}, deterministic. */
export function protectedHeader(kid: Uint8Array): Uint8Array {
  return encodeCanonical(new Map<number, any>([[COSE_HDR_ALG, COSE_ALG_EDDSA], [COSE_HDR_KID, kid]]));
}

/** Sig_structure for COSE_Sign1 (RFC 9052 §4.4): ["Signature1", body_protected, external_aad, payload]. */
export function sigStructure(protectedBytes: Uint8Array, payload: Uint8Array, externalAad = new Uint8Array(0)): Uint8Array {
  return encodeCanonical(['Signature1', protectedBytes, externalAad, payload]);
}

/** Assembles tagged COSE_Sign1: 18([protected, {}, payload, signature]). */
export function encodeSign1(protectedBytes: Uint8Array, payload: Uint8Array, signature: Uint8Array): Uint8Array {
  return encodeCanonical(new Tag([protectedBytes, new Map(), payload, signature], COSE_SIGN1_TAG));
}

/** Host-side signing with a node KeyObject (tests, gateway-authored messages). */
export function signSign1(kid: Uint8Array, payload: Uint8Array, privateKey: KeyObject): Uint8Array {
  const p = protectedHeader(kid);
  const sig = nodeSign(null, sigStructure(p, payload), privateKey);
  return encodeSign1(p, payload, new Uint8Array(sig));
}

/** A parsed but not yet verified COSE_Sign1. */
export interface Sign1 {
  protectedBytes: Uint8Array;
  kid: Uint8Array;
  payload: Uint8Array;
  signature: Uint8Array;
}

/** The only envelope shape the protocol accepts: tag 18 → array of 4 → (empty map), nothing else. */
const ENVELOPE_LIMITS = { maxDepth: 3, maxItems: 6, tags: [COSE_SIGN1_TAG] } as const;
/** The protected header {1: -8, 4: kid}: one map of two integer keys. */
const HEADER_LIMITS = { maxDepth: 1, maxItems: 5 } as const;
export const MAX_KID_BYTES = 64;

/** Parses a COSE_Sign1 of at most `maxBytes`, checking structure and alg. Does not verify.
 *  Only the exact canonical envelope `18([bstr .cbor {1: -8, 4: kid}, {}, bstr, bstr .size 64])`
 *  is accepted (RFC 9052 §4.2 with RFC 8949 §4.2.1 deterministic encoding): no untagged form, no
 *  unprotected header, no other tag, no non-shortest length, no trailing bytes. So the bytes a
 *  ledger stores are exactly the bytes the board signed and sent, and a board can prove them.
 *  Throws CoseError with reason too_large | truncated | malformed_cbor | not_cose_sign1 | bad_alg | no_kid | bad_signature. */
export function parseSign1(bytes: Uint8Array, maxBytes: number): Sign1 {
  let v: unknown;
  try {
    v = decodeBounded(bytes, maxBytes, ENVELOPE_LIMITS);
  } catch (e) {
    if (e instanceof CborError) throw new CoseError(e.kind === 'too_large' ? 'too_large' : e.kind === 'truncated' ? 'truncated' : 'malformed_cbor', e.message);
    throw e;
  }
  if (!(v instanceof Tag) || v.tag !== COSE_SIGN1_TAG) throw new CoseError('not_cose_sign1', 'COSE_Sign1 must be tagged 18');
  v = v.value;
  if (!Array.isArray(v) || v.length !== 4) throw new CoseError('not_cose_sign1', 'COSE_Sign1 must be a 4-element array');
  const [p, u, payload, signature] = v;
  if (!(p instanceof Uint8Array) || !(payload instanceof Uint8Array) || !(signature instanceof Uint8Array) || !(u instanceof Map)) {
    throw new CoseError('not_cose_sign1', 'COSE_Sign1 element types are wrong');
  }
  if (u.size !== 0) throw new CoseError('not_cose_sign1', 'the unprotected header must be empty');
  let hdr: unknown;
  try { hdr = decodeBounded(p, 8 + MAX_KID_BYTES, HEADER_LIMITS); } catch (e) { throw new CoseError('malformed_cbor', `protected header: ${(e as Error).message}`); }
  if (!(hdr instanceof Map) || hdr.get(COSE_HDR_ALG) !== COSE_ALG_EDDSA) throw new CoseError('bad_alg', 'protected header alg must be EdDSA (-8)');
  const kid = hdr.get(COSE_HDR_KID);
  if (!(kid instanceof Uint8Array) || kid.length === 0 || kid.length > MAX_KID_BYTES) throw new CoseError('no_kid', 'protected header kid missing or too long');
  if (hdr.size !== 2) throw new CoseError('not_cose_sign1', 'protected header must hold only alg and kid');
  if (signature.length !== 64) throw new CoseError('bad_signature', 'Ed25519 signature must be 64 bytes');
  return { protectedBytes: new Uint8Array(p), kid: new Uint8Array(kid), payload: new Uint8Array(payload), signature: new Uint8Array(signature) };
}

const SPKI_ED25519_PREFIX = Uint8Array.from([0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00]);

/** node KeyObject for a raw 32-byte Ed25519 public key (RFC 8410 SubjectPublicKeyInfo). */
export function ed25519PublicKey(raw: Uint8Array): KeyObject {
  if (raw.length !== 32) throw new CoseError('bad_key', 'Ed25519 public key must be 32 bytes');
  const der = new Uint8Array(44);
  der.set(SPKI_ED25519_PREFIX, 0);
  der.set(raw, 12);
  return createPublicKey({ key: Buffer.from(der), format: 'der', type: 'spki' });
}

const keyCache = new Map<string, KeyObject>();

/** Cached `ed25519PublicKey`: building a KeyObject costs more than a verification, and the
 *  gateway, cluster and ledger verify the same few keys over and over. Keyed by the key bytes. */
export function publicKeyObject(raw: Uint8Array): KeyObject {
  const k = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('hex');
  let ko = keyCache.get(k);
  if (!ko) {
    ko = ed25519PublicKey(raw);
    if (keyCache.size >= 100_000) keyCache.clear();
    keyCache.set(k, ko);
  }
  return ko;
}

/** Verifies the Ed25519 signature of a parsed COSE_Sign1 (RFC 8032 §5.1.7 via node:crypto). */
export function verifySign1(msg: Sign1, publicKey: KeyObject): boolean {
  return nodeVerify(null, sigStructure(msg.protectedBytes, msg.payload), publicKey, msg.signature);
}

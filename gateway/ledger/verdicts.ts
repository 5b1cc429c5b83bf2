// Signature verdicts kept in memory (never on disk, never sent): the signatures this process's
// own signers produced, so the commit path of a block this gateway builds from its own
// transactions does not verify each of them a second time. A verdict is bound to the public
// key, the SHA-256 of the signed bytes and the signature itself; anything else — a block from a
// peer, `ledger verify`, a restarted process — verifies every signature (RFC 8032 §5.1.7).
import { bytesEqual, sha256 } from '../../protocol/bytes.js';

/** Verdicts kept at most; the oldest is forgotten first (it is then simply verified again). */
export const MAX_VERDICTS = 1 << 16;

interface Verdict { publicKey: Uint8Array; digest: Uint8Array }

const digestOf = sha256;
// Map key of a signature: its 64 bytes as a latin1 string (cheaper than hex; same identity).
const sigKey = (sig: Uint8Array) => Buffer.from(sig.buffer, sig.byteOffset, sig.byteLength).toString('latin1');

/** A bounded set of known-good (public key, message, signature) triples. */
export class SignatureVerdicts {
  private readonly bySig = new Map<string, Verdict>();
  constructor(private readonly max = MAX_VERDICTS) {}

  get size(): number { return this.bySig.size; }

  /** Records a signature known to be valid (this process made it with the key's secret). */
  record(publicKey: Uint8Array, msg: Uint8Array, sig: Uint8Array): void {
    const k = sigKey(sig);
    this.bySig.delete(k);
    this.bySig.set(k, { publicKey: publicKey.slice(), digest: digestOf(msg) });
    if (this.bySig.size > this.max) this.bySig.delete(this.bySig.keys().next().value!);
  }

  /** True only for a recorded triple: same signature, same key, same signed bytes. */
  known(publicKey: Uint8Array, msg: Uint8Array, sig: Uint8Array): boolean {
    if (sig.length !== 64) return false;
    const v = this.bySig.get(sigKey(sig));
    return !!v && bytesEqual(v.publicKey, publicKey) && bytesEqual(v.digest, digestOf(msg));
  }
}

/** Signatures made by this process's `nodeSigner`s. */
export const ownSignatures = new SignatureVerdicts();

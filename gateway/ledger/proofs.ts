// Light-client inclusion proofs (issue 5 §5): a device holding a trusted block hash (or the
// managers' keys) checks that its update record is in that block with O(log n) hashes.
import { encodeCanonical, decodeBounded, CborError } from '../../protocol/cbor.js';
import { LedgerError } from './errors.js';
import { bytesEqual } from '../../protocol/bytes.js';
import { inclusionProof, verifyInclusion, type InclusionProof } from './merkle.js';
import { headerHash, headerToCbor, headerFromCbor, type Header } from './header.js';
import { proposerSigningBytes, type Block } from './block.js';
import { verifySig } from './signer.js';
import type { ChainStore } from './store.js';

/** Proof that transaction `txHash` is leaf `proof.index` of block `header`'s tx root. */
export interface TxProof {
  txHash: Uint8Array;
  header: Header;
  sig: Uint8Array;        // proposer's signature over the block hash
  proof: InclusionProof;
}

export const MAX_PROOF_BYTES = 8 * 1024;

/** Builds a proof from storage. Throws LedgerError('not_found' | 'pruned'). */
export async function txProof(store: ChainStore, block: (h: number) => Promise<Block>, txHash: Uint8Array): Promise<TxProof> {
  const loc = await store.txLocation(txHash);
  if (!loc) throw new LedgerError('not_found', 'transaction is not on the chain');
  const b = await block(loc.height);
  if (!bytesEqual(b.txs[loc.index]?.hash ?? new Uint8Array(0), txHash)) throw new LedgerError('not_found', 'transaction index is stale');
  return { txHash, header: b.header, sig: b.sig, proof: inclusionProof(b.txs.map((t) => t.hash), loc.index) };
}

/** Checks a proof. With `trustedHash`, the header must hash to it; with `proposerKey`, the
 *  proposer's signature must verify. Pure; never throws. */
export function verifyTxProof(p: TxProof, opts: { trustedHash?: Uint8Array; proposerKey?: Uint8Array } = {}): boolean {
  const hash = headerHash(p.header);
  if (opts.trustedHash && !bytesEqual(hash, opts.trustedHash)) return false;
  if (opts.proposerKey && !verifySig(opts.proposerKey, proposerSigningBytes(hash), p.sig)) return false;
  if (!opts.trustedHash && !opts.proposerKey) return false; // a proof anchored to nothing proves nothing
  return verifyInclusion(p.txHash, p.proof, p.header.txRoot);
}

/** Wire form: canonical CBOR [txHash, header, sig, index, size, path]. */
export function encodeTxProof(p: TxProof): Uint8Array {
  return encodeCanonical([p.txHash, headerToCbor(p.header), p.sig, p.proof.index, p.proof.size, p.proof.path]);
}

/** Decodes an untrusted proof (bounded). Throws LedgerError. */
export function decodeTxProof(b: Uint8Array): TxProof {
  let v: unknown;
  try { v = decodeBounded(b, MAX_PROOF_BYTES); } catch (e) {
    if (e instanceof CborError) throw new LedgerError(e.kind === 'truncated' ? 'truncated' : e.kind === 'too_large' ? 'too_large' : 'malformed', `proof: ${e.message}`);
    throw e;
  }
  if (!Array.isArray(v) || v.length !== 6) throw new LedgerError('malformed', 'proof must be a 6-element array');
  const [txHash, h, sig, index, size, path] = v;
  if (!(txHash instanceof Uint8Array) || txHash.length !== 32 || !(sig instanceof Uint8Array) || !Number.isSafeInteger(index) || !Number.isSafeInteger(size)
    || !Array.isArray(path) || path.length > 64 || !path.every((x) => x instanceof Uint8Array && x.length === 32)) {
    throw new LedgerError('malformed', 'proof fields have wrong types');
  }
  return { txHash: new Uint8Array(txHash), header: headerFromCbor(h), sig: new Uint8Array(sig), proof: { index: index as number, size: size as number, path: path.map((x: Uint8Array) => new Uint8Array(x)) } };
}

// Light-client proofs for state entries (a device's registration `dev/<id>`, its counter inside
// that record, a balance `bal/<id>`): the audit path of the entry's key in the sparse Merkle
// state tree (smt.ts) against a header's state root. A proof of a missing key ends on an empty
// subtree or on another key's leaf on the same path prefix.
import { encodeCanonical, decodeBounded, CborError } from '../../protocol/cbor.js';
import { bytesEqual } from '../../protocol/bytes.js';
import { LedgerError } from './errors.js';
import { encodeEntry, fromCbor, type StateProof } from './state.js';
import { smtPath, smtRootOf, leafHash } from './smt.js';
import { MAX_ID } from './fields.js';

export type { StateProof };
/** Largest encoded state proof (a 256-level path plus a 64 KiB entry). */
export const MAX_STATE_PROOF_BYTES = 80 * 1024;

/** True when `p` proves that `p.key` holds `p.value` (or is absent, when `value` is undefined)
 *  in the state whose root is `stateRoot`. Pure; never throws.
 *  @example verifyStateProof(ledger.head().stateRoot, ledger.proveState('dev/b1')) */
export function verifyStateProof(stateRoot: Uint8Array, p: StateProof): boolean {
  try {
    if (typeof p.key !== 'string' || !p.path) return false;
    const path = smtPath(p.key);
    if (p.value !== undefined) {
      // inclusion: the walk must end on this key's own leaf, committing to this value
      if (!p.path.leaf || !bytesEqual(p.path.leaf.path, path)) return false;
      if (!bytesEqual(p.path.leaf.hash, leafHash(path, encodeEntry(p.key, p.value)))) return false;
    } else if (p.path.leaf && bytesEqual(p.path.leaf.path, path)) return false;   // the key is there
    const root = smtRootOf(path, p.path);
    return !!root && bytesEqual(root, stateRoot);
  } catch { return false; }
}

/** Wire form: canonical CBOR [key, [value] or [], siblings, [leafPath, leafHash] or []]. */
export function encodeStateProof(p: StateProof): Uint8Array {
  return encodeCanonical([p.key, p.value !== undefined ? [p.value] : [], p.path.siblings, p.path.leaf ? [p.path.leaf.path, p.path.leaf.hash] : []]);
}

const b32 = (x: unknown): x is Uint8Array => x instanceof Uint8Array && x.length === 32;

/** Decodes an untrusted state proof (bounded). Throws LedgerError. */
export function decodeStateProof(b: Uint8Array): StateProof {
  let v: unknown;
  try { v = decodeBounded(b, MAX_STATE_PROOF_BYTES); } catch (e) {
    if (e instanceof CborError) throw new LedgerError(e.kind === 'truncated' ? 'truncated' : e.kind === 'too_large' ? 'too_large' : 'malformed', `state proof: ${e.message}`);
    throw e;
  }
  if (!Array.isArray(v) || v.length !== 4) throw new LedgerError('malformed', 'state proof must be a 4-element array');
  const [key, value, siblings, leaf] = v;
  if (typeof key !== 'string' || key.length > 4 * MAX_ID || !Array.isArray(value) || value.length > 1
    || !Array.isArray(siblings) || siblings.length > 256 || !siblings.every(b32)
    || !Array.isArray(leaf) || (leaf.length !== 0 && (leaf.length !== 2 || !b32(leaf[0]) || !b32(leaf[1])))) {
    throw new LedgerError('malformed', 'state proof fields have wrong types');
  }
  return {
    key, ...(value.length ? { value: fromCbor(value[0]) } : {}),
    path: { siblings: siblings.map((s: Uint8Array) => new Uint8Array(s)), ...(leaf.length ? { leaf: { path: new Uint8Array(leaf[0]), hash: new Uint8Array(leaf[1]) } } : {}) },
  };
}

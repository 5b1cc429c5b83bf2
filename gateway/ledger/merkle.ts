// Merkle tree over transaction hashes (and state leaves), as RFC 9162 §2.1.1: leaves hashed
// with prefix 0x00, interior nodes with 0x01, so a leaf can never pass for a node (second-preimage
// safety). An unpaired last node is promoted a level, which yields exactly the RFC's MTH split.
import { sha256, bytesEqual } from '../../protocol/bytes.js';
import { innerHash } from './smt.js';
import { LedgerError } from './errors.js';

/** Leaf hash: SHA-256(0x00 || data). */
export function leafHash(data: Uint8Array): Uint8Array {
  const b = new Uint8Array(1 + data.length);
  b.set(data, 1);
  return sha256(b);
}

/** Interior node: SHA-256(0x01 || l || r), the state tree's inner hash (as a plain Uint8Array). */
function nodeHash(l: Uint8Array, r: Uint8Array): Uint8Array {
  const d = innerHash(l, r);
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

/** Merkle Tree Hash of `items` (RFC 9162 §2.1.1); the empty tree hashes to SHA-256(""). */
export function merkleRoot(items: readonly Uint8Array[]): Uint8Array {
  if (items.length === 0) return sha256(new Uint8Array(0));
  let level = items.map(leafHash);
  while (level.length > 1) level = nextLevel(level);
  return level[0];
}

/** Same as merkleRoot but over already-hashed leaves. */
export function merkleRootOfLeaves(leaves: readonly Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return sha256(new Uint8Array(0));
  let level = leaves.slice();
  while (level.length > 1) level = nextLevel(level);
  return level[0];
}

function nextLevel(level: Uint8Array[]): Uint8Array[] {
  const next: Uint8Array[] = [];
  for (let i = 0; i < level.length; i += 2) next.push(i + 1 < level.length ? nodeHash(level[i], level[i + 1]) : level[i]);
  return next;
}

/** An inclusion proof: the audit path of RFC 9162 §2.1.3.1 for leaf `index` of a `size`-leaf tree. */
export interface InclusionProof {
  index: number;
  size: number;
  path: Uint8Array[];
}

/** Audit path for `items[index]`. Throws LedgerError('not_found') for an out-of-range index. */
export function inclusionProof(items: readonly Uint8Array[], index: number): InclusionProof {
  if (!Number.isSafeInteger(index) || index < 0 || index >= items.length) throw new LedgerError('not_found', `leaf ${index} of ${items.length}`);
  const path: Uint8Array[] = [];
  let level = items.map(leafHash);
  let i = index;
  while (level.length > 1) {
    const sib = i ^ 1;
    if (sib < level.length) path.push(level[sib]);
    level = nextLevel(level);
    i >>= 1;
  }
  return { index, size: items.length, path };
}

/** Verifies an audit path against `root` (RFC 9162 §2.1.3.2). Pure; never throws. */
export function verifyInclusion(item: Uint8Array, proof: InclusionProof, root: Uint8Array): boolean {
  const { index, size, path } = proof;
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size || path.length > 64) return false;
  let fn = index;
  let sn = size - 1;
  let r = leafHash(item);
  for (const p of path) {
    if (!(p instanceof Uint8Array) || p.length !== 32) return false;
    if (sn === 0) return false;
    if ((fn & 1) === 1 || fn === sn) {
      r = nodeHash(p, r);
      if ((fn & 1) === 0) while ((fn & 1) === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && bytesEqual(r, root);
}

// The state's authenticated index: a compact sparse Merkle tree over 256-bit key paths
// (path = SHA-256 of the state key). A subtree holding one entry is that entry's leaf, placed
// at the shortest prefix that tells it apart from every other key (the compaction of Diem's
// Jellyfish Merkle tree and of Laurie & Kasper's "Revocation transparency" sparse trees), so a
// tree of n entries is about log2(n) levels deep instead of 256. The shape depends only on the
// set of keys, the hashes only on the entries, so every gateway computes the same root.
//   leaf  = SHA-256(0x00 ‖ path ‖ entry)   (entry = canonical CBOR [key, value])
//   empty = 32 zero bytes
//   inner = SHA-256(0x01 ‖ left ‖ right)
// (domain-separated as RFC 9162 §2.1.1, so a leaf can never pass for an inner node). Trees are
// immutable: an update copies the touched paths and shares the rest, so a block's root can be
// computed without changing the committed tree, at a cost of O(changes × depth) hashes.
import { createHash, hash } from 'node:crypto';

/** A leaf: its key path and its hash. */
export interface SmtLeaf { readonly path: Uint8Array; readonly h: Uint8Array }
/** An inner node with two subtrees (one may be empty, never both). */
export interface SmtInner { readonly l: SmtNode; readonly r: SmtNode; readonly h: Uint8Array }
/** A subtree; null is the empty subtree. */
export type SmtNode = SmtLeaf | SmtInner | null;

/** One change for `smtUpdate`: a path and its new leaf hash (`leafHash`), or null to delete. */
export interface SmtChange { path: Uint8Array; leaf: Uint8Array | null }

/** Hash of the empty tree and of every empty subtree. */
export const SMT_EMPTY = new Uint8Array(32);

/** SHA-256 (FIPS 180-4) on node:crypto: the tree's hot path, about twice noble's speed here. */
export function hash256(...parts: Uint8Array[]): Uint8Array {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
}

/** The key path of a state key: SHA-256 of its UTF-8 bytes. */
export function smtPath(key: string): Uint8Array { return hash('sha256', key, 'buffer'); }

export const isLeaf = (n: SmtNode): n is SmtLeaf => n !== null && 'path' in n;
export const nodeHash = (n: SmtNode): Uint8Array => (n === null ? SMT_EMPTY : n.h);

/** Bit `d` of a path, most significant bit first. */
export function bit(path: Uint8Array, d: number): number { return (path[d >> 3] >> (7 - (d & 7))) & 1; }

/** Leaf hash of an entry at a path. */
export function leafHash(path: Uint8Array, entry: Uint8Array): Uint8Array {
  const b = Buffer.allocUnsafe(33 + entry.length);
  b[0] = 0x00;
  b.set(path, 1);
  b.set(entry, 33);
  return hash('sha256', b, 'buffer');
}

// Inner nodes are the bulk of the tree's hashing (≈ 10 per changed key): one-shot crypto.hash
// over a reused 65-byte buffer costs about two thirds of createHash + update + digest, whose
// per-call object churn dominates for inputs this small (docs/performance.md).
const innerBuf = Buffer.alloc(65);
innerBuf[0] = 0x01;

/** Inner node hash. */
export function innerHash(l: Uint8Array, r: Uint8Array): Uint8Array {
  innerBuf.set(l, 1);
  innerBuf.set(r, 33);
  return hash('sha256', innerBuf, 'buffer');
}

/** Joins two subtrees, keeping the tree compact: a lone leaf moves up to its parent's place. */
function join(l: SmtNode, r: SmtNode): SmtNode {
  if (l === null && (r === null || isLeaf(r))) return r;
  if (r === null && isLeaf(l)) return l;
  return { l, r, h: innerHash(nodeHash(l), nodeHash(r)) };
}

function cmp(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < 32; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}
const samePath = (a: Uint8Array, b: Uint8Array) => { for (let i = 0; i < 32; i++) if (a[i] !== b[i]) return false; return true; };

/** First index in [lo, hi) whose path has bit d set (the items are sorted by path). */
function split(items: readonly SmtChange[], lo: number, hi: number, d: number): number {
  while (lo < hi) { const m = (lo + hi) >> 1; if (bit(items[m].path, d) === 0) lo = m + 1; else hi = m; }
  return lo;
}

/** Builds the compact subtree at depth `d` of sorted, present entries. */
function build(items: readonly SmtChange[], lo: number, hi: number, d: number): SmtNode {
  if (lo === hi) return null;
  if (hi - lo === 1) return { path: items[lo].path, h: items[lo].leaf! };
  if (d >= 256) throw new Error('smt: two entries share a 256-bit path');
  const m = split(items, lo, hi, d);
  return join(build(items, lo, m, d + 1), build(items, m, hi, d + 1));
}

function upd(n: SmtNode, items: readonly SmtChange[], lo: number, hi: number, d: number): SmtNode {
  if (lo === hi) return n;
  if (n === null) {
    const present = items.slice(lo, hi).filter((c) => c.leaf !== null);
    return build(present, 0, present.length, d);
  }
  if (isLeaf(n)) {
    // The leaf's entry stays unless a change names its path; then rebuild this small subtree.
    const list: SmtChange[] = [];
    let replaced = false;
    for (let i = lo; i < hi; i++) { if (samePath(n.path, items[i].path)) replaced = true; if (items[i].leaf !== null) list.push(items[i]); }
    if (!replaced) { list.push({ path: n.path, leaf: n.h }); list.sort((a, b) => cmp(a.path, b.path)); }
    return build(list, 0, list.length, d);
  }
  const m = split(items, lo, hi, d);
  const l = upd(n.l, items, lo, m, d + 1);
  const r = upd(n.r, items, m, hi, d + 1);
  return l === n.l && r === n.r ? n : join(l, r);
}

/** The tree after `changes` (any order; one change per path), sharing unchanged subtrees
 *  with `root`, which is not modified. */
export function smtUpdate(root: SmtNode, changes: SmtChange[]): SmtNode {
  if (changes.length === 0) return root;
  const items = changes.slice().sort((a, b) => cmp(a.path, b.path));
  return upd(root, items, 0, items.length, 0);
}

/** A tree built from scratch (loading a persisted state). */
export function smtBuild(entries: SmtChange[]): SmtNode {
  const items = entries.filter((c) => c.leaf !== null).sort((a, b) => cmp(a.path, b.path));
  return build(items, 0, items.length, 0);
}

/** Audit path of `path`: sibling hashes from the root down, and what the walk ends on — the
 *  leaf holding the path, another leaf (the path is absent), or an empty subtree (absent). */
export interface SmtPath { siblings: Uint8Array[]; leaf?: { path: Uint8Array; hash: Uint8Array } }

/** Walks `root` towards `path` collecting the proof. */
export function smtProve(root: SmtNode, path: Uint8Array): SmtPath {
  const siblings: Uint8Array[] = [];
  let n = root;
  for (let d = 0; n !== null && !isLeaf(n); d++) {
    const b = bit(path, d);
    siblings.push(nodeHash(b ? n.l : n.r));
    n = b ? n.r : n.l;
  }
  return { siblings, leaf: n === null ? undefined : { path: n.path, hash: n.h } };
}

/** Root hash implied by an audit path for `path`. Never throws; returns undefined for a
 *  malformed path (a terminal leaf off the query path's prefix, a sibling of the wrong size). */
export function smtRootOf(path: Uint8Array, p: SmtPath): Uint8Array | undefined {
  if (!Array.isArray(p.siblings) || p.siblings.length > 256) return undefined;
  let h: Uint8Array = SMT_EMPTY;
  if (p.leaf) {
    const { path: lp, hash } = p.leaf;
    if (!(lp instanceof Uint8Array) || lp.length !== 32 || !(hash instanceof Uint8Array) || hash.length !== 32) return undefined;
    for (let d = 0; d < p.siblings.length; d++) if (bit(lp, d) !== bit(path, d)) return undefined;
    h = hash;
  }
  for (let d = p.siblings.length - 1; d >= 0; d--) {
    const s = p.siblings[d];
    if (!(s instanceof Uint8Array) || s.length !== 32) return undefined;
    h = bit(path, d) ? innerHash(s, h) : innerHash(h, s);
  }
  return h;
}

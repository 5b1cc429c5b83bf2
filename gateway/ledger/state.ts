// Chain state as a key-value map authenticated by a compact sparse Merkle tree (smt.ts) keyed
// by SHA-256 of the state key, whose leaves commit to SHA-256 of canonical CBOR [key, value].
// A block's root costs O(changed keys × log n) hashes, not O(n). Rules never mutate a StateDb:
// they write into a StateOverlay, and only a validated block's overlay is merged in (pure
// apply, STYLE §3).
import { encodeCanonical, type CborValue } from '../../protocol/cbor.js';
import { bytesEqual } from '../../protocol/bytes.js';
import { smtUpdate, smtBuild, smtProve, smtPath, leafHash, nodeHash, type SmtNode, type SmtChange, type SmtPath } from './smt.js';

/** A state value: plain CBOR data (objects with text keys, integers, text, bytes, arrays). */
export type StateValue = CborValue;

/** Read access to state. Values are shared: callers copy before changing. */
export interface StateReader {
  get(key: string): StateValue | undefined;
}

/** Uncommitted writes over a base state. `changes()` is what a block commits. */
export class StateOverlay implements StateReader {
  private readonly writes = new Map<string, StateValue | null>();
  constructor(private readonly base: StateReader) {}

  get(key: string): StateValue | undefined {
    const w = this.writes.get(key);
    if (w === null) return undefined;
    return w !== undefined ? w : this.base.get(key);
  }
  set(key: string, value: StateValue): void { this.writes.set(key, value); }
  del(key: string): void { this.writes.set(key, null); }
  /** Writes since creation; null marks a deletion. */
  changes(): Map<string, StateValue | null> { return this.writes; }
  /** A child overlay whose writes merge into this one only on `commitInto` (per-tx atomicity). */
  child(): StateOverlay { return new StateOverlay(this); }
  commitInto(parent: StateOverlay): void { for (const [k, v] of this.writes) parent.writes.set(k, v); }
}

/** Encoded form of one state entry; its hash is the entry's leaf value in the state tree. */
export function encodeEntry(key: string, value: StateValue): Uint8Array {
  return encodeCanonical([key, value]);
}

/** A state entry's inclusion (value set) or exclusion (value undefined) proof against a root. */
export interface StateProof { key: string; value?: StateValue; path: SmtPath }

/** What `rootWith` computed, kept so `apply` of the same changes does not hash twice. */
interface Pending { changes: Map<string, StateValue | null>; tree: SmtNode; encoded: Map<string, Uint8Array> }

/** Materialised state with its sparse Merkle tree, updated per changed key. */
export class StateDb implements StateReader {
  private readonly entries = new Map<string, StateValue>();
  private sortedKeys: string[] | null = [];
  private tree: SmtNode = null;
  /** Entries loaded since the tree was last built (bulk loads build the tree once). */
  private loaded: SmtChange[] | null = null;
  private pending?: Pending;

  get(key: string): StateValue | undefined { return this.entries.get(key); }
  get size(): number { return this.entries.size; }

  /** Merges overlay changes; returns the encoded entries written (for the storage batch).
   *  `knownRoot` is the root `rootWith` returned for these changes (the tree is reused). */
  apply(changes: Map<string, StateValue | null>, knownRoot?: Uint8Array): { put: [string, Uint8Array][]; del: string[] } {
    const p = this.pending?.changes === changes ? this.pending : this.prepare(changes);
    this.pending = undefined;
    if (knownRoot && !bytesEqual(nodeHash(p.tree), knownRoot)) throw new Error('state: apply with a root other than rootWith gave');
    const put: [string, Uint8Array][] = [];
    const del: string[] = [];
    for (const [k, v] of changes) {
      const had = this.entries.has(k);
      if (v === null) {
        if (had) { this.entries.delete(k); del.push(k); this.sortedKeys = null; }
        continue;
      }
      this.entries.set(k, v);
      if (!had) this.sortedKeys = null;
      put.push([k, p.encoded.get(k)!]);
    }
    this.tree = p.tree;
    return { put, del };
  }

  /** Inserts an entry loaded from storage (already encoded). */
  load(key: string, value: StateValue, enc: Uint8Array): void {
    if (this.entries.has(key)) throw new Error(`state: ${key} loaded twice`);
    this.entries.set(key, value);
    const path = smtPath(key);
    (this.loaded ??= []).push({ path, leaf: leafHash(path, enc) });
    this.sortedKeys = null;
    this.pending = undefined;
  }

  // Loading into an empty tree is one bulk build; otherwise the loaded entries merge in.
  private built(): SmtNode {
    if (this.loaded) { const l = this.loaded; this.loaded = null; this.tree = this.tree === null ? smtBuild(l) : smtUpdate(this.tree, l); }
    return this.tree;
  }

  private prepare(changes: Map<string, StateValue | null>): Pending {
    const encoded = new Map<string, Uint8Array>();
    const list: SmtChange[] = [];
    for (const [k, v] of changes) {
      if (v === null) { if (this.entries.has(k)) list.push({ path: smtPath(k), leaf: null }); continue; }
      const enc = encodeEntry(k, v);
      encoded.set(k, enc);
      const path = smtPath(k);
      list.push({ path, leaf: leafHash(path, enc) });
    }
    return { changes, tree: smtUpdate(this.built(), list), encoded };
  }

  /** Root of the state tree (32 zero bytes for an empty state). */
  root(): Uint8Array { return new Uint8Array(nodeHash(this.built())); }

  /** Root the state would have after `changes`, without changing this state. */
  rootWith(changes: Map<string, StateValue | null>): Uint8Array {
    if (changes.size === 0) return this.root();
    this.pending = this.prepare(changes);
    return new Uint8Array(nodeHash(this.pending.tree));
  }

  /** Inclusion proof of `key` (or exclusion proof when it is absent) against `root()`. */
  prove(key: string): StateProof {
    const value = this.entries.get(key);
    return { key, ...(value !== undefined ? { value } : {}), path: smtProve(this.built(), smtPath(key)) };
  }

  /** All entries as [key, value], sorted by key (JSON export, snapshots). */
  *iter(): IterableIterator<[string, StateValue]> {
    if (!this.sortedKeys) this.sortedKeys = [...this.entries.keys()].sort();
    for (const k of this.sortedKeys) yield [k, this.entries.get(k)!];
  }
}

/** Converts decoded CBOR (Maps) back into the plain objects the rules store. */
export function fromCbor(v: unknown): StateValue {
  if (v instanceof Map) {
    const o: Record<string, StateValue> = {};
    for (const [k, x] of v) o[String(k)] = fromCbor(x);
    return o;
  }
  if (Array.isArray(v)) return v.map(fromCbor);
  if (v instanceof Uint8Array) return new Uint8Array(v);
  // integers above 2^32 decode as bigint; rules compute with numbers
  if (typeof v === 'bigint' && v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(v);
  return v as StateValue;
}

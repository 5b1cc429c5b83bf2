// Chain state as a flat, sorted key-value map whose root is a Merkle tree over
// SHA-256-leaves of canonical CBOR [key, value]. Rules never mutate a StateDb: they write into
// a StateOverlay, and only a validated block's overlay is merged in (pure apply, STYLE §3).
import { encodeCanonical, type CborValue } from '../../protocol/cbor.js';
import { merkleRootOfLeaves, leafHash } from './merkle.js';

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

interface Entry { value: StateValue; enc: Uint8Array; leaf: Uint8Array }

/** Encoded form of one state entry; its leaf hash feeds the state root. */
export function encodeEntry(key: string, value: StateValue): Uint8Array {
  return encodeCanonical([key, value]);
}

/** Materialised state with a cached, incrementally maintained root. */
export class StateDb implements StateReader {
  private readonly entries = new Map<string, Entry>();
  private sortedKeys: string[] | null = [];
  private cachedRoot: Uint8Array | null = null;

  get(key: string): StateValue | undefined { return this.entries.get(key)?.value; }
  get size(): number { return this.entries.size; }

  /** Merges overlay changes; returns the encoded entries written (for the storage batch). */
  apply(changes: Map<string, StateValue | null>, knownRoot?: Uint8Array): { put: [string, Uint8Array][]; del: string[] } {
    const put: [string, Uint8Array][] = [];
    const del: string[] = [];
    for (const [k, v] of changes) {
      const had = this.entries.has(k);
      if (v === null) {
        if (had) { this.entries.delete(k); del.push(k); this.sortedKeys = null; }
        continue;
      }
      const enc = encodeEntry(k, v);
      this.entries.set(k, { value: v, enc, leaf: leafHash(enc) });
      if (!had) this.sortedKeys = null;
      put.push([k, enc]);
    }
    // knownRoot: the caller computed it with rootWith over the same changes
    if (changes.size > 0) this.cachedRoot = knownRoot ?? null;
    return { put, del };
  }

  /** Inserts an entry loaded from storage (already encoded). */
  load(key: string, value: StateValue, enc: Uint8Array): void {
    this.entries.set(key, { value, enc, leaf: leafHash(enc) });
    this.sortedKeys = null;
    this.cachedRoot = null;
  }

  /** Merkle root over entries sorted by key (UTF-16 code unit order, deterministic). */
  root(): Uint8Array {
    if (this.cachedRoot) return this.cachedRoot;
    if (!this.sortedKeys) this.sortedKeys = [...this.entries.keys()].sort();
    this.cachedRoot = merkleRootOfLeaves(this.sortedKeys.map((k) => this.entries.get(k)!.leaf));
    return this.cachedRoot;
  }

  /** Root the state would have after `changes`, without changing this state. */
  rootWith(changes: Map<string, StateValue | null>): Uint8Array {
    if (changes.size === 0) return this.root();
    const keys = new Set(this.sortedKeys ?? this.entries.keys());
    for (const [k, v] of changes) v === null ? keys.delete(k) : keys.add(k);
    const sorted = [...keys].sort();
    return merkleRootOfLeaves(sorted.map((k) => {
      const c = changes.get(k);
      return c !== undefined && c !== null ? leafHash(encodeEntry(k, c)) : this.entries.get(k)!.leaf;
    }));
  }

  /** All entries as [key, value], sorted by key (JSON export, snapshots). */
  *iter(): IterableIterator<[string, StateValue]> {
    if (!this.sortedKeys) this.sortedKeys = [...this.entries.keys()].sort();
    for (const k of this.sortedKeys) yield [k, this.entries.get(k)!.value];
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

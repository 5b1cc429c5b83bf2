// Immutable Map and Set values that grow in O(1) amortised time, for the round machine's
// per-round collections (accepted updates, update hashes, trainers heard from). A round admits
// n updates one event at a time; copying the collections on every event made a round O(n²)
// (38.8 s of a 10,000-board run, docs/simulator.md §Measured).
//
// Every version of a lineage shares one append-only log of entries and sees its first `size`
// of them. Adding to the newest version appends to the log in place, which no older version
// can see (they read only their prefix), so every value stays immutable. Adding to an older
// version (a fork: the same state stepped twice) copies its prefix into a new log first, so
// purity holds there too, at O(size) for that step. Removing or replacing a key is not offered.
//
// The classes extend Map and Set so that `instanceof`, `node:assert`'s deep equality (by
// entries, via the overridden iterators) and the ReadonlyMap / ReadonlySet types hold; the
// inherited storage stays empty and the mutators throw. Built-ins that read a Set's internal
// storage directly (the ES2025 set algebra, structuredClone / postMessage) would see it empty:
// the set-algebra methods are redirected below, and a collection crossing a thread boundary must
// be copied into a plain Map or Set first.

/** The entries of one lineage, in insertion order. */
class Log<K, V> {
  readonly keys: K[] = [];
  readonly vals: V[] = [];
  readonly index = new Map<K, number>();

  push(k: K, v: V): void { this.index.set(k, this.keys.length); this.keys.push(k); this.vals.push(v); }

  /** A new log holding the first `n` entries. */
  prefix(n: number): Log<K, V> {
    const l = new Log<K, V>();
    for (let i = 0; i < n; i++) l.push(this.keys[i], this.vals[i]);
    return l;
  }

  /** The position of `k` among the first `n` entries, or -1. */
  find(k: K, n: number): number {
    const i = this.index.get(k);
    return i !== undefined && i < n ? i : -1;
  }

  /** The log a version of `n` entries appends `k` to: this one when that version is the newest. */
  forAppend(n: number): Log<K, V> {
    return this.keys.length === n ? this : this.prefix(n);
  }
}

const immutable = (what: string): never => { throw new TypeError(`${what} is immutable: use with()`); };

/** An immutable Map; `with(k, v)` returns a new version in O(1) amortised. */
export class AppendMap<K, V> extends Map<K, V> {
  readonly #log: Log<K, V>;
  readonly #n: number;

  private constructor(log: Log<K, V>, n: number) {
    super();
    this.#log = log;
    this.#n = n;
  }

  /** The empty map. */
  static empty<K, V>(): AppendMap<K, V> { return new AppendMap(new Log<K, V>(), 0); }

  /** `m` as an AppendMap (itself when it already is one; otherwise its entries copied once). */
  static of<K, V>(m: ReadonlyMap<K, V>): AppendMap<K, V> {
    if (m instanceof AppendMap) return m;
    const log = new Log<K, V>();
    for (const [k, v] of m) log.push(k, v);
    return new AppendMap(log, log.keys.length);
  }

  /** This map with `k` → `v` added. Throws if `k` is already present with another value. */
  with(k: K, v: V): AppendMap<K, V> {
    const i = this.#log.find(k, this.#n);
    if (i >= 0) {
      if (Object.is(this.#log.vals[i], v)) return this;
      throw new RangeError('AppendMap.with: key already present with another value');
    }
    const log = this.#log.forAppend(this.#n);
    log.push(k, v);
    return new AppendMap(log, this.#n + 1);
  }

  override get size(): number { return this.#n; }
  override has(k: K): boolean { return this.#log.find(k, this.#n) >= 0; }
  override get(k: K): V | undefined { const i = this.#log.find(k, this.#n); return i >= 0 ? this.#log.vals[i] : undefined; }
  override forEach(f: (v: V, k: K, m: Map<K, V>) => void, self?: unknown): void {
    for (let i = 0; i < this.#n; i++) f.call(self, this.#log.vals[i], this.#log.keys[i], this);
  }
  override *entries(): MapIterator<[K, V]> { for (let i = 0; i < this.#n; i++) yield [this.#log.keys[i], this.#log.vals[i]]; }
  override *keys(): MapIterator<K> { for (let i = 0; i < this.#n; i++) yield this.#log.keys[i]; }
  override *values(): MapIterator<V> { for (let i = 0; i < this.#n; i++) yield this.#log.vals[i]; }
  override [Symbol.iterator](): MapIterator<[K, V]> { return this.entries(); }
  override set(): this { return immutable('AppendMap'); }
  override delete(): boolean { return immutable('AppendMap'); }
  override clear(): void { immutable('AppendMap'); }
}

/** An immutable Set; `with(k)` returns a new version in O(1) amortised. */
export class AppendSet<K> extends Set<K> {
  readonly #log: Log<K, true>;
  readonly #n: number;

  private constructor(log: Log<K, true>, n: number) {
    super();
    this.#log = log;
    this.#n = n;
  }

  /** The empty set. */
  static empty<K>(): AppendSet<K> { return new AppendSet(new Log<K, true>(), 0); }

  /** `s` as an AppendSet (itself when it already is one; otherwise its members copied once). */
  static of<K>(s: ReadonlySet<K>): AppendSet<K> {
    if (s instanceof AppendSet) return s;
    const log = new Log<K, true>();
    for (const k of s) log.push(k, true);
    return new AppendSet(log, log.keys.length);
  }

  /** This set with `k` added (itself when `k` is already a member). */
  with(k: K): AppendSet<K> {
    if (this.#log.find(k, this.#n) >= 0) return this;
    const log = this.#log.forAppend(this.#n);
    log.push(k, true);
    return new AppendSet(log, this.#n + 1);
  }

  override get size(): number { return this.#n; }
  override has(k: K): boolean { return this.#log.find(k, this.#n) >= 0; }
  override forEach(f: (v: K, k: K, s: Set<K>) => void, self?: unknown): void {
    for (let i = 0; i < this.#n; i++) f.call(self, this.#log.keys[i], this.#log.keys[i], this);
  }
  override *values(): SetIterator<K> { for (let i = 0; i < this.#n; i++) yield this.#log.keys[i]; }
  override keys(): SetIterator<K> { return this.values(); }
  override *entries(): SetIterator<[K, K]> { for (let i = 0; i < this.#n; i++) yield [this.#log.keys[i], this.#log.keys[i]]; }
  override [Symbol.iterator](): SetIterator<K> { return this.values(); }
  override add(): this { return immutable('AppendSet'); }
  override delete(): boolean { return immutable('AppendSet'); }
  override clear(): void { immutable('AppendSet'); }
}

// Newer runtimes' Set algebra and Map upserts work on the inherited (empty) storage: redirect the
// former to a plain copy and make the latter throw like the other mutators.
for (const name of ['union', 'intersection', 'difference', 'symmetricDifference', 'isSubsetOf', 'isSupersetOf', 'isDisjointFrom']) {
  const f = (Set.prototype as unknown as Record<string, unknown>)[name];
  if (typeof f === 'function') Object.defineProperty(AppendSet.prototype, name, { value(this: AppendSet<unknown>, o: unknown) { return f.call(new Set(this), o); }, writable: true, configurable: true });
}
for (const name of ['getOrInsert', 'getOrInsertComputed']) {
  if (name in Map.prototype) Object.defineProperty(AppendMap.prototype, name, { value() { return immutable('AppendMap'); }, writable: true, configurable: true });
}

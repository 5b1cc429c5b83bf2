// A bounds-checked reader for untrusted flatbuffers (the FlatBuffers binary format: a root
// uoffset, tables that point back to a vtable of field offsets, vectors and strings as a u32
// length followed by their elements). Every access is checked against the buffer, every
// vector against a caller's limit; an access past the end reports `truncated` (more bytes
// could have made it valid), anything else is invalid.

/** A malformed flatbuffer or .tflite file. `truncated` is true when the input ended too early. */
export class TfliteFormatError extends Error {
  readonly truncated: boolean;
  constructor(message: string, truncated = false) {
    super(message);
    this.name = 'TfliteFormatError';
    this.truncated = truncated;
  }
}

/** One table of the buffer, with typed, checked field accessors. */
export class Table {
  private readonly vt: number;
  private readonly vtLen: number;
  constructor(private readonly r: FlatReader, readonly pos: number, readonly what: string) {
    this.vt = pos - r.i32(pos, what);
    this.vtLen = r.u16(this.vt, `${what} vtable`);
    if (this.vtLen < 4 || this.vtLen & 1) throw new TfliteFormatError(`${what}: bad vtable length ${this.vtLen}`);
    const objLen = r.u16(this.vt + 2, `${what} vtable`);
    r.need(pos, objLen, what);
    r.need(this.vt, this.vtLen, `${what} vtable`);
  }

  /** Absolute position of field `slot`, or 0 when absent. */
  field(slot: number): number {
    const o = 4 + 2 * slot;
    if (o + 2 > this.vtLen) return 0;
    const rel = this.r.u16(this.vt + o, this.what);
    return rel ? this.pos + rel : 0;
  }
  has(slot: number): boolean { return this.field(slot) !== 0; }
  u8(slot: number, def = 0): number { const p = this.field(slot); return p ? this.r.u8(p, this.what) : def; }
  i8(slot: number, def = 0): number { const p = this.field(slot); return p ? (this.r.u8(p, this.what) << 24) >> 24 : def; }
  i32(slot: number, def = 0): number { const p = this.field(slot); return p ? this.r.i32(p, this.what) : def; }
  u32(slot: number, def = 0): number { const p = this.field(slot); return p ? this.r.i32(p, this.what) >>> 0 : def; }
  u64(slot: number): bigint { const p = this.field(slot); return p ? this.r.u64(p, this.what) : 0n; }
  /** Position the uoffset in field `slot` points to, or 0. */
  private ref(slot: number): number {
    const p = this.field(slot);
    if (!p) return 0;
    const t = p + (this.r.i32(p, this.what) >>> 0);
    if (t >= this.r.bytes.length) throw new TfliteFormatError(`${this.what}: field ${slot} points past the end`, true);
    return t;
  }
  table(slot: number, what: string): Table | undefined { const p = this.ref(slot); return p ? new Table(this.r, p, what) : undefined; }
  string(slot: number, max: number): string | undefined {
    const p = this.ref(slot);
    if (!p) return undefined;
    const n = this.r.len(p, max, 1, `${this.what} string`);
    return new TextDecoder('utf-8', { fatal: false }).decode(this.r.bytes.subarray(p + 4, p + 4 + n));
  }
  /** Bytes of a [ubyte]/[byte] vector (a view, not a copy). */
  bytes(slot: number, max: number): Uint8Array | undefined {
    const p = this.ref(slot);
    if (!p) return undefined;
    const n = this.r.len(p, max, 1, `${this.what} vector`);
    return this.r.bytes.subarray(p + 4, p + 4 + n);
  }
  i32s(slot: number, max: number): number[] | undefined { return this.scalars(slot, max, 4, (q) => this.r.i32(q, this.what)); }
  f32s(slot: number, max: number): number[] | undefined { return this.scalars(slot, max, 4, (q) => this.r.f32(q, this.what)); }
  i64s(slot: number, max: number): bigint[] | undefined { return this.scalars(slot, max, 8, (q) => this.r.i64(q, this.what)); }
  tables(slot: number, max: number, what: string): Table[] | undefined {
    return this.scalars(slot, max, 4, (q) => {
      const t = q + (this.r.i32(q, what) >>> 0);
      if (t >= this.r.bytes.length) throw new TfliteFormatError(`${what}: points past the end`, true);
      return new Table(this.r, t, what);
    });
  }
  private scalars<T>(slot: number, max: number, size: number, get: (pos: number) => T): T[] | undefined {
    const p = this.ref(slot);
    if (!p) return undefined;
    const n = this.r.len(p, max, size, `${this.what} vector`);
    return Array.from({ length: n }, (_, i) => get(p + 4 + size * i));
  }
}

/** Reader over one buffer. */
export class FlatReader {
  private readonly dv: DataView;
  constructor(readonly bytes: Uint8Array) {
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  need(pos: number, n: number, what: string): void {
    if (pos < 0 || !Number.isSafeInteger(pos)) throw new TfliteFormatError(`${what}: offset out of range`);
    if (pos + n > this.bytes.length) throw new TfliteFormatError(`${what}: runs past the end of the file (${pos + n} > ${this.bytes.length} bytes)`, true);
  }
  u8(p: number, what: string): number { this.need(p, 1, what); return this.dv.getUint8(p); }
  u16(p: number, what: string): number { this.need(p, 2, what); return this.dv.getUint16(p, true); }
  i32(p: number, what: string): number { this.need(p, 4, what); return this.dv.getInt32(p, true); }
  f32(p: number, what: string): number { this.need(p, 4, what); return this.dv.getFloat32(p, true); }
  i64(p: number, what: string): bigint { this.need(p, 8, what); return this.dv.getBigInt64(p, true); }
  u64(p: number, what: string): bigint { this.need(p, 8, what); return this.dv.getBigUint64(p, true); }
  /** Length of the vector at `p`, checked against `max` and the buffer. */
  len(p: number, max: number, size: number, what: string): number {
    const n = this.i32(p, what) >>> 0;
    if (n > max) throw new TfliteFormatError(`${what}: ${n} elements exceed the limit of ${max}`);
    this.need(p + 4, n * size, what);
    return n;
  }
  /** The root table; checks the 4-byte file identifier when given. */
  root(identifier: string | undefined, what: string): Table {
    this.need(0, 8, what);
    if (identifier !== undefined) {
      const id = String.fromCharCode(...this.bytes.subarray(4, 8));
      if (id !== identifier) throw new TfliteFormatError(`${what}: file identifier "${id.replace(/[^\x20-\x7e]/g, '?')}", expected "${identifier}"`);
    }
    const p = this.i32(0, what) >>> 0;
    if (p >= this.bytes.length) throw new TfliteFormatError(`${what}: root offset points past the end`, true);
    return new Table(this, p, what);
  }
}

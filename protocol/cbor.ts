// CBOR for the wire and for storage (RFC 8949), on top of cbor-x.
// - `encodeCanonical` produces the core deterministic encoding of RFC 8949 §4.2.1:
//   shortest-form integers and lengths, map keys sorted by their encoded bytes,
//   no floats (consensus data is integer-only), no tags except where the caller builds them.
// - `decodeBounded` refuses input over an explicit size limit, runs the strict pre-check
//   (protocol/strict-cbor.ts: no tags but the caller's, no floats, no indefinite lengths, canonical
//   only, bounded depth and items) before cbor-x sees a byte, and tells truncated input apart
//   from invalid input.
import { Encoder, Tag } from 'cbor-x';
import { CborError, type CborErrorKind } from './cbor-error.js';
import { checkStrict, DEFAULT_STRICT, type StrictLimits } from './strict-cbor.js';

export { Tag };

const enc = new Encoder({ useRecords: false, variableMapSize: true, tagUint8Array: false, mapsAsObjects: false });
const dec = new Encoder({ useRecords: false, mapsAsObjects: false, tagUint8Array: false });

export { CborError, type CborErrorKind };
export { checkStrict, DEFAULT_STRICT, type StrictLimits };

/** A value that `encodeCanonical` accepts. Plain objects become maps with text keys. */
export type CborValue =
  | number | bigint | string | boolean | null | Uint8Array | Tag
  | CborValue[] | Map<string | number, CborValue> | { [k: string]: CborValue };

// Map keys are mostly a few field names: their encodings are kept (bounded), since encoding
// each key again on every call was a large share of block commit time.
const keyCache = new Map<string | number, Uint8Array>();
function keyBytes(k: string | number): Uint8Array {
  let b = keyCache.get(k);
  if (b === undefined) {
    b = new Uint8Array(enc.encode(k));
    if (keyCache.size < 4096) keyCache.set(k, b);
  }
  return b;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

function normalise(v: CborValue): unknown {
  if (v === null || typeof v === 'string' || typeof v === 'boolean' || typeof v === 'bigint') return v;
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) throw new CborError('not_canonical_value', `non-integer or unsafe number ${v}`);
    // cbor-x writes integers above 32 bits as floats; BigInt keeps them as major type 0/1.
    return v > 0xffffffff || v < -0x100000000 ? BigInt(v) : v;
  }
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  if (v instanceof Tag) return new Tag(normalise(v.value as CborValue), v.tag);
  if (Array.isArray(v)) return v.map(normalise);
  const entries: [string | number, CborValue][] =
    v instanceof Map ? [...v.entries()] : Object.entries(v as Record<string, CborValue>);
  const keyed = entries.map(([k, x]) => ({ k, kb: keyBytes(k), x }));
  keyed.sort((a, b) => compareBytes(a.kb, b.kb)); // RFC 8949 §4.2.1 bytewise lexicographic key order
  return new Map(keyed.map(({ k, x }) => [k, normalise(x)]));
}

/** Deterministic CBOR (RFC 8949 §4.2.1). Throws CborError on floats or unsafe integers.
 *  @example encodeCanonical({ round: 3, base: new Uint8Array(32) }) */
export function encodeCanonical(v: CborValue): Uint8Array {
  const b = enc.encode(normalise(v));
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** Decodes one CBOR item of at most `maxBytes` that passes the strict pre-check under `limits`
 *  (default: no tags, depth ≤ 12). Maps decode as `Map`, byte strings as Uint8Array.
 *  Throws CborError (any kind but `not_canonical_value`).
 *  @example decodeBounded(bytes, MAX_SMALL_MESSAGE, { maxDepth: 1, maxItems: 5 }) */
export function decodeBounded(bytes: Uint8Array, maxBytes: number, limits: StrictLimits = DEFAULT_STRICT): unknown {
  if (bytes.byteLength > maxBytes) throw new CborError('too_large', `CBOR input ${bytes.byteLength} B exceeds limit ${maxBytes} B`);
  if (bytes.byteLength === 0) throw new CborError('truncated', 'empty CBOR input');
  checkStrict(bytes, limits);
  let out: unknown;
  try {
    out = dec.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (e: any) {
    if (e && e.incomplete) throw new CborError('truncated', `truncated CBOR: ${e.message}`);
    throw new CborError('invalid', `invalid CBOR: ${e?.message ?? e}`);
  }
  return out;
}

/** Reads a field of a decoded CBOR map, or undefined. */
export function field(m: unknown, key: string | number): unknown {
  return m instanceof Map ? m.get(key) : undefined;
}

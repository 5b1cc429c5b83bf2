// Readers for fields of decoded CBOR maps, each with an explicit bound. Every decoder in the
// ledger goes through these, so malformed input fails with LedgerError('malformed').
import { LedgerError } from './errors.js';

export const MAX_ID = 64;          // ids: devices, managers, tasks
export const MAX_LIST = 1024;      // categories, types, committees
export const MAX_TXS_PER_BLOCK = 20_000;  // transactions in a block, and so updates one model aggregates
export const MAX_TEXT = 256;       // free-text reasons

function bad(what: string): never {
  throw new LedgerError('malformed', what);
}

/** The decoded value as a Map, or throws. */
export function asMap(v: unknown, what: string): Map<unknown, unknown> {
  if (!(v instanceof Map)) bad(`${what} must be a map`);
  return v;
}

/** Rejects keys outside `allowed`, so two encodings cannot carry different extra data. */
export function onlyKeys(m: Map<unknown, unknown>, allowed: readonly string[], what: string): void {
  for (const k of m.keys()) if (typeof k !== 'string' || !allowed.includes(k)) bad(`${what}: unexpected field ${String(k)}`);
}

/** A 1..max character string. */
export function str(m: Map<unknown, unknown>, k: string, max = MAX_ID, min = 1): string {
  const v = m.get(k);
  if (typeof v !== 'string' || v.length < min || v.length > max) bad(`${k} must be a ${min}..${max} character string`);
  return v;
}

// cbor-x decodes integers above 2^32 (e.g. millisecond timestamps) as bigint.
export function num(v: unknown): unknown {
  return typeof v === 'bigint' && v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/** A non-negative safe integer. */
export function uint(m: Map<unknown, unknown>, k: string): number {
  const v = num(m.get(k));
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) bad(`${k} must be an unsigned integer`);
  return v;
}

/** A token amount: a non-negative safe integer. A negative integer is refused with its own
 *  reason (`negative_amount`), anything else that is not an integer as `malformed`. */
export function amount(m: Map<unknown, unknown>, k: string): number {
  const v = num(m.get(k));
  if (typeof v === 'number' && Number.isSafeInteger(v) && v < 0) throw new LedgerError('negative_amount', `${k} is ${v}; amounts are never negative`);
  if (typeof v === 'bigint' && v < 0n) throw new LedgerError('negative_amount', `${k} is negative; amounts are never negative`);
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) bad(`${k} must be an unsigned integer amount`);
  return v;
}

/** A safe integer (may be negative). */
export function int(m: Map<unknown, unknown>, k: string): number {
  const v = num(m.get(k));
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) bad(`${k} must be an integer`);
  return v;
}

/** A byte string of exactly `len` bytes (or at most `len` when `exact` is false). */
export function bytes(m: Map<unknown, unknown>, k: string, len: number, exact = true): Uint8Array {
  const v = m.get(k);
  if (!(v instanceof Uint8Array) || (exact ? v.length !== len : v.length > len)) bad(`${k} must be ${exact ? '' : 'at most '}${len} bytes`);
  return new Uint8Array(v);
}

/** An array of at most `max` items, each read by `item`. */
export function list<T>(m: Map<unknown, unknown>, k: string, item: (v: unknown, i: number) => T, max = MAX_LIST): T[] {
  const v = m.get(k);
  if (!Array.isArray(v) || v.length > max) bad(`${k} must be an array of at most ${max} items`);
  return v.map(item);
}

/** Item reader for a list of ids. */
export function idItem(v: unknown): string {
  if (typeof v !== 'string' || v.length < 1 || v.length > MAX_ID) bad('list item must be a 1..64 character string');
  return v;
}

/** Item reader for a list of safe integers (may be negative). */
export function intItem(v: unknown): number {
  const x = num(v);
  if (typeof x !== 'number' || !Number.isSafeInteger(x)) bad('list item must be an integer');
  return x;
}

/** Item reader for a list of 32-byte hashes. */
export function hashItem(v: unknown): Uint8Array {
  if (!(v instanceof Uint8Array) || v.length !== 32) bad('list item must be a 32-byte hash');
  return new Uint8Array(v);
}

/** An optional field: undefined when absent, else read by `read`. */
export function opt<T>(m: Map<unknown, unknown>, k: string, read: (m: Map<unknown, unknown>, k: string) => T): T | undefined {
  return m.has(k) ? read(m, k) : undefined;
}

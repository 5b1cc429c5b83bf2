// The device update: the payload of a device's COSE_Sign1 (docs/protocol.md §Update).
import { encodeCanonical, decodeBounded, CborError } from './cbor.js';

/** Fields of a model update. Metrics are integers in the fixed-point units their names carry. */
export interface UpdateFields {
  task: string;
  round: number;
  base: Uint8Array;      // SHA-256 of the global model blob the update was trained from
  n: number;             // local samples used
  model: Uint8Array;     // quantised model blob (firmware model format)
  ctr: number;           // per-device monotonic message counter (replay protection)
  metrics: Record<string, number>; // e.g. loss_u (loss × 1e6), eps_m (ε × 1000)
}

export const MAX_TASK_ID = 64;
export const MAX_METRICS = 16;
/** Strict pre-check of the payload: one map of 7 fields, metrics one level below. */
const UPDATE_LIMITS = { maxDepth: 2, maxItems: 1 + 2 * 7 + 2 * MAX_METRICS } as const;

/** Deterministic CBOR payload (RFC 8949 §4.2.1). Keys: n, ctr, base, task, model, round, metrics. */
export function encodeUpdate(u: UpdateFields): Uint8Array {
  return encodeCanonical({
    task: u.task, round: u.round, base: u.base, n: u.n, model: u.model, ctr: u.ctr, metrics: u.metrics,
  });
}

export class UpdateError extends Error {
  constructor(readonly reason: string, message: string) { super(message); this.name = 'UpdateError'; }
}

/** cbor-x decodes integers ≥ 2^32 as bigint; accept them while they are safe integers. */
function safeInt(v: unknown): number | undefined {
  if (typeof v === 'bigint' && v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(v);
  return typeof v === 'number' && Number.isSafeInteger(v) ? v : undefined;
}

function uint(m: Map<any, any>, k: string): number {
  const v = safeInt(m.get(k));
  if (v === undefined || v < 0) throw new UpdateError('bad_field', `field ${k} must be an unsigned integer`);
  return v;
}

/** Decodes and validates an update payload (untrusted input). Throws UpdateError. */
export function decodeUpdate(bytes: Uint8Array, maxBytes: number): UpdateFields {
  let m: unknown;
  try { m = decodeBounded(bytes, maxBytes, UPDATE_LIMITS); } catch (e) {
    if (e instanceof CborError) throw new UpdateError(e.kind === 'too_large' ? 'too_large' : 'malformed_cbor', e.message);
    throw e;
  }
  if (!(m instanceof Map)) throw new UpdateError('bad_field', 'update payload must be a map');
  const task = m.get('task');
  if (typeof task !== 'string' || task.length === 0 || task.length > MAX_TASK_ID) throw new UpdateError('bad_field', 'task must be a 1..64 char string');
  const base = m.get('base');
  if (!(base instanceof Uint8Array) || base.length !== 32) throw new UpdateError('bad_field', 'base must be a 32-byte hash');
  const model = m.get('model');
  if (!(model instanceof Uint8Array)) throw new UpdateError('bad_field', 'model must be a byte string');
  const mt = m.get('metrics');
  const metrics: Record<string, number> = {};
  if (mt !== undefined) {
    if (!(mt instanceof Map) || mt.size > MAX_METRICS) throw new UpdateError('bad_field', 'metrics must be a map of at most 16 entries');
    for (const [k, v] of mt) {
      const x = safeInt(v);
      if (typeof k !== 'string' || x === undefined) throw new UpdateError('bad_field', 'metrics must map text to integers');
      metrics[k] = x;
    }
  }
  return { task, round: uint(m, 'round'), base: new Uint8Array(base), n: uint(m, 'n'), model: new Uint8Array(model), ctr: uint(m, 'ctr'), metrics };
}

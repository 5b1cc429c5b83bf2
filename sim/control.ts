// Simulator control messages on top of the wire protocol (docs/simulator.md §Round protocol):
// the round plan (simulated gateway → fleet: who trains, who sits on the committee, local
// epochs) and each fleet worker's end-of-round marker (which of its trainers sent nothing:
// unavailable, lost on the link, or with nothing to copy), which replaces a wall-clock deadline
// so runs are deterministic. Canonical CBOR with size limits; truncated input is told apart
// from invalid (CborError), and a well-formed message of the wrong shape is a ControlError.
import { encodeCanonical, decodeBounded } from '../protocol/cbor.js';
import { MAX_CONTROL_BYTES, MAX_CANDIDATES } from '../protocol/limits.js';

export interface PlanMsg { round: number; trainers: number[]; committee: number[]; epochs: number; done: boolean }
/** `slowestMs`: the slowest of the worker's trainers this round in simulated time (link + compute, sim/fleet/link.ts). */
export interface DoneMsg { round: number; worker: number; sent: number; unavailable: number[]; lost: number[]; slowestMs: number }

/** A control message that decodes but breaks its format. */
export class ControlError extends Error { constructor(m: string) { super(m); this.name = 'ControlError'; } }

const uint = (x: unknown, what: string): number => {
  if (!Number.isSafeInteger(x) || (x as number) < 0) throw new ControlError(`${what} must be an unsigned integer`);
  return x as number;
};
const uints = (x: unknown, what: string): number[] => {
  if (!Array.isArray(x) || x.length > MAX_CANDIDATES) throw new ControlError(`${what} must be a list of at most ${MAX_CANDIDATES}`);
  return x.map((v, i) => uint(v, `${what}[${i}]`));
};
const tuple = (b: Uint8Array, n: number, what: string): unknown[] => {
  const v = decodeBounded(b, MAX_CONTROL_BYTES);
  if (!Array.isArray(v) || v.length !== n) throw new ControlError(`${what} must be a ${n}-element array`);
  return v;
};

export const encodePlan = (p: PlanMsg): Uint8Array => encodeCanonical([p.round, p.trainers, p.committee, p.epochs, p.done]);
/** Throws CborError (too_large | truncated | invalid) or ControlError. */
export function decodePlan(b: Uint8Array): PlanMsg {
  const v = tuple(b, 5, 'plan');
  if (typeof v[4] !== 'boolean') throw new ControlError('plan.done must be a boolean');
  return { round: uint(v[0], 'plan.round'), trainers: uints(v[1], 'plan.trainers'), committee: uints(v[2], 'plan.committee'), epochs: uint(v[3], 'plan.epochs'), done: v[4] };
}

/** A board process of a split fleet (sim/fleet/slice.ts) is provisioned and subscribed:
 *  slice `slice` of `of`, holding `boards` boards. */
export interface ReadyMsg { slice: number; of: number; boards: number }

export const encodeReady = (r: ReadyMsg): Uint8Array => encodeCanonical([r.slice, r.of, r.boards]);
/** Throws CborError (too_large | truncated | invalid) or ControlError. */
export function decodeReady(b: Uint8Array): ReadyMsg {
  const v = tuple(b, 3, 'ready marker');
  const r = { slice: uint(v[0], 'ready.slice'), of: uint(v[1], 'ready.of'), boards: uint(v[2], 'ready.boards') };
  if (r.of < 1 || r.slice >= r.of) throw new ControlError(`ready.slice ${r.slice} is not below ready.of ${r.of}`);
  return r;
}

export const encodeDone = (d: DoneMsg): Uint8Array => encodeCanonical([d.round, d.worker, d.sent, d.unavailable, d.lost, d.slowestMs]);
/** Throws CborError (too_large | truncated | invalid) or ControlError. */
export function decodeDone(b: Uint8Array): DoneMsg {
  const v = tuple(b, 6, 'done marker');
  return { round: uint(v[0], 'done.round'), worker: uint(v[1], 'done.worker'), sent: uint(v[2], 'done.sent'), unavailable: uints(v[3], 'done.unavailable'), lost: uints(v[4], 'done.lost'), slowestMs: uint(v[5], 'done.slowestMs') };
}

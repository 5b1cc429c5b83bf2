// The committee's scoring request (gateway → committee members, fl/<task>/validate): the
// round, its parent block hash (what the score sheets bind to), the committee, and the candidate updates by
// device and update hash (002 §III: members score every update on their own data).
// Canonical CBOR with a size limit; truncated input is told apart from invalid (CborError).
import { encodeCanonical, decodeBounded } from './cbor.js';
import { isId } from './ids.js';
import { MAX_CONTROL_BYTES, MAX_CANDIDATES, MAX_COMMITTEE } from './limits.js';

export interface ValidateRequest { round: number; prev: Uint8Array; committee: string[]; candidates: { id: string; updateHash: Uint8Array }[] }

/** A request that decodes as CBOR but breaks the format. */
export class ValidateError extends Error { constructor(m: string) { super(m); this.name = 'ValidateError'; } }

export const encodeValidate = (v: ValidateRequest): Uint8Array =>
  encodeCanonical([v.round, v.prev, v.committee, v.candidates.map((c) => [c.id, c.updateHash])]);

/** Decodes an untrusted request. Throws CborError (too_large | truncated | invalid) or ValidateError. */
export function decodeValidate(b: Uint8Array): ValidateRequest {
  const v = decodeBounded(b, MAX_CONTROL_BYTES);
  if (!Array.isArray(v) || v.length !== 4) throw new ValidateError('validate request must be [round, prev, committee, candidates]');
  const [round, prev, committee, cands] = v as [unknown, unknown, unknown, unknown];
  if (!Number.isSafeInteger(round) || (round as number) < 1) throw new ValidateError('round must be a positive integer');
  if (!(prev instanceof Uint8Array) || prev.length !== 32) throw new ValidateError('prev must be 32 bytes');
  if (!Array.isArray(committee) || committee.length > MAX_COMMITTEE || !committee.every((m) => typeof m === 'string' && isId(m))) throw new ValidateError(`committee must be a list of at most ${MAX_COMMITTEE} ids`);
  if (!Array.isArray(cands) || cands.length > MAX_CANDIDATES) throw new ValidateError(`candidates must be a list of at most ${MAX_CANDIDATES}`);
  const candidates = cands.map((c) => {
    if (!Array.isArray(c) || c.length !== 2 || typeof c[0] !== 'string' || !isId(c[0]) || !(c[1] instanceof Uint8Array) || c[1].length !== 32) throw new ValidateError('candidate must be [id, hash32]');
    return { id: c[0] as string, updateHash: new Uint8Array(c[1]) };
  });
  return { round: round as number, prev: new Uint8Array(prev), committee: committee as string[], candidates };
}

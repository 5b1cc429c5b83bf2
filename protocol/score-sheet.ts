// The BFLC committee's score sheet (seed 002 (BFLC) §III: each member "assigns a score" to
// every update on its own data): what a member signs, on the board, and the canonical CBOR
// form it publishes on fl/<task>/score/<member> and the engine's evidence carries.
import { encodeCanonical, type CborValue } from './cbor.js';

/** A committee member's signed scores for one round. */
export interface ScoreSheet {
  round: number;
  member: string;
  scores: { updateHash: Uint8Array; score: number }[];   // score: accuracy × 1e6 on the member's data
  sig: Uint8Array;                                      // Ed25519 over scoreSheetBytes (RFC 8032)
}

/** A sheet list that decodes as CBOR but breaks the format. */
export class SheetError extends Error { readonly reason = 'malformed'; constructor(m: string) { super(m); this.name = 'SheetError'; } }

const DOMAIN = 'edgechain/bflc-score/v1';

/** Bytes a member signs: canonical CBOR [domain, round, prev, member, [[hash, score]...]];
 *  `prev` is the parent block hash the round builds on. */
export function scoreSheetBytes(round: number, prev: Uint8Array, member: string, scores: ScoreSheet['scores']): Uint8Array {
  return encodeCanonical([DOMAIN, round, prev, member, scores.map((s) => [s.updateHash, s.score])]);
}

/** Signs a score sheet with the member's device key (done on the board). */
export function signScoreSheet(member: { id: string; sign(msg: Uint8Array): Uint8Array }, round: number, prev: Uint8Array, scores: ScoreSheet['scores']): ScoreSheet {
  return { round, member: member.id, scores, sig: member.sign(scoreSheetBytes(round, prev, member.id, scores)) };
}

/** Score sheets as a canonical CBOR value [[round, member, [[hash, score]...], sig]...]: the
 *  committee engine's evidence, and what a member publishes (as a one-sheet list). */
export function encodeSheets(sheets: readonly ScoreSheet[]): CborValue {
  return sheets.map((s) => [s.round, s.member, s.scores.map((e) => [e.updateHash, e.score]), s.sig]) as CborValue;
}

/** Score sheets from an untrusted decoded CBOR value (≤ 1024 sheets). Throws SheetError. */
export function decodeSheets(v: unknown): ScoreSheet[] {
  if (!Array.isArray(v) || v.length > 1024) throw new SheetError('score sheets must be an array (≤ 1024)');
  return v.map((s): ScoreSheet => {
    if (!Array.isArray(s) || s.length !== 4 || typeof s[0] !== 'number' || typeof s[1] !== 'string' || !Array.isArray(s[2]) || !(s[3] instanceof Uint8Array)) {
      throw new SheetError('score sheet must be [round, member, scores, sig]');
    }
    const scores = s[2].map((e: unknown) => {
      if (!Array.isArray(e) || !(e[0] instanceof Uint8Array) || e[0].length !== 32 || typeof e[1] !== 'number') throw new SheetError('score entry must be [hash32, score]');
      return { updateHash: new Uint8Array(e[0]), score: e[1] };
    });
    return { round: s[0], member: s[1], scores, sig: new Uint8Array(s[3]) };
  });
}


// A board's committee role (seed 002 (BFLC) §III): when the gateway's scoring request names it
// on the round's committee, it scores every candidate on its own data in its own firmware
// (accuracy ppm) and publishes one score sheet signed with its device key, bound to the
// round's parent hash.
import { decodeValidate, type ValidateRequest } from '../protocol/validate.js';
import { signScoreSheet, type ScoreSheet } from '../protocol/score-sheet.js';
import type { RoundBlobs } from './round-blobs.js';

export interface MemberOptions {
  id: string;
  task: string;
  blobs: RoundBlobs;
  /** Accuracy of a candidate model blob on the board's own data, in [0, 1]. */
  score(model: Uint8Array): number;
  sign(msg: Uint8Array): Uint8Array;
}

/** Answers scoring requests. */
export class CommitteeMember {
  constructor(private readonly o: MemberOptions) {}

  /** Handler for fl/<task>/validate: the signed sheet, or undefined when not on the committee.
   *  Throws on a malformed request. */
  sheetFor(payload: Uint8Array): { request: ValidateRequest; sheet: ScoreSheet } | undefined {
    const v = decodeValidate(payload);
    if (!v.committee.includes(this.o.id)) return undefined;
    const scores: ScoreSheet['scores'] = [];
    for (const c of v.candidates) {
      const blob = this.o.blobs.get(c.updateHash);
      if (blob) scores.push({ updateHash: c.updateHash, score: Math.round(this.o.score(blob) * 1e6) });   // never reached us: no score (counted as 0)
    }
    return { request: v, sheet: signScoreSheet({ id: this.o.id, sign: (m) => this.o.sign(m) }, v.round, v.prev, scores) };
  }
}

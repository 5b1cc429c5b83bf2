// A board's committee role (seed 002 (BFLC) §III): while the round's candidates travel to the
// gateways, a board keeps their model blobs; when the gateway's scoring request names it on
// the committee, it scores every candidate on its own data in its own firmware (accuracy ppm)
// and publishes one score sheet signed with its device key, bound to the round's parent hash.
import { sha256, toHex } from '../protocol/bytes.js';
import { parseSign1 } from '../protocol/cose.js';
import { decodeUpdate } from '../protocol/update.js';
import { decodeValidate, type ValidateRequest } from '../protocol/validate.js';
import { signScoreSheet, encodeSheets, type ScoreSheet } from '../protocol/score-sheet.js';
import { encodeCanonical } from '../protocol/cbor.js';
import { MAX_UPDATE_BYTES } from '../protocol/limits.js';
import { scoreTopic } from '../protocol/topics.js';
import type { Transport } from '../protocol/transport.js';

export interface MemberOptions {
  id: string;
  task: string;
  /** Accuracy of a candidate model blob on the board's own data, in [0, 1]. */
  score(model: Uint8Array): number;
  sign(msg: Uint8Array): Uint8Array;
  /** Most candidate blobs kept per round. */
  maxBlobs?: number;
}

/** Keeps the current round's candidate blobs and answers scoring requests. */
export class CommitteeMember {
  private blobs = new Map<string, Uint8Array>();   // update hash hex → model blob
  private round = 0;

  constructor(private readonly o: MemberOptions) {}

  /** Handler for fl/<task>/update/<device>: keep the model blob (integrity comes from its hash). */
  onUpdate(payload: Uint8Array): void {
    const f = decodeUpdate(parseSign1(payload, MAX_UPDATE_BYTES).payload, MAX_UPDATE_BYTES);
    if (f.task !== this.o.task || f.round < this.round) return;
    if (f.round > this.round) { this.round = f.round; this.blobs.clear(); }
    if (this.blobs.size < (this.o.maxBlobs ?? 100_000)) this.blobs.set(toHex(sha256(f.model)), f.model);
  }

  /** Handler for fl/<task>/validate: the signed sheet, or undefined when not on the committee. */
  sheetFor(payload: Uint8Array): { request: ValidateRequest; sheet: ScoreSheet } | undefined {
    const v = decodeValidate(payload);
    if (!v.committee.includes(this.o.id)) return undefined;
    const scores: ScoreSheet['scores'] = [];
    for (const c of v.candidates) {
      const blob = this.blobs.get(toHex(c.updateHash));
      if (blob) scores.push({ updateHash: c.updateHash, score: Math.round(this.o.score(blob) * 1e6) });   // never reached us: no score (counted as 0)
    }
    return { request: v, sheet: signScoreSheet({ id: this.o.id, sign: (m) => this.o.sign(m) }, v.round, v.prev, scores) };
  }

  /** Scores and publishes. */
  async answer(payload: Uint8Array, t: Transport): Promise<boolean> {
    const r = this.sheetFor(payload);
    if (!r) return false;
    await t.publish(scoreTopic(this.o.task, this.o.id), encodeCanonical(encodeSheets([r.sheet])), { qos: 1 });
    return true;
  }
}

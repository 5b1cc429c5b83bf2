// A board's PoQ roles (seed 001 (PoQ) §III-D). As a party it reports MAE(m_i) of the update it
// just trained, on its own data (Eq. 6), signed with its device key over the round's parent
// hash. As a member it audits the leader's block: it recomputes the MAE of every reported model
// and of the global model on its own data and, when each is within the tolerance, signs the
// block digest. Both run in the board's own firmware.
import { sha256 } from '../protocol/bytes.js';
import { decodeModel } from '../protocol/model-blob.js';
import { signReport, encodeReport, decodeAudit, blockDigest, auditWithin, encodeApproval } from '../protocol/poq.js';
import type { RoundBlobs } from './round-blobs.js';

export interface PartyOptions {
  id: string;
  task: string;
  blobs: RoundBlobs;
  /** MAE of a model blob on the board's own data, in [0, 1]. */
  mae(model: Uint8Array): number;
  sign(msg: Uint8Array): Uint8Array;
}

const ppm = (x: number) => Math.max(0, Math.min(1_000_000, Math.round(x * 1e6)));

export class PoqParty {
  constructor(private readonly o: PartyOptions) {}

  /** The report message for the update this board sent (model blob, samples) in `round` over `prev`. */
  report(round: number, prev: Uint8Array, model: Uint8Array, n: number): Uint8Array {
    const me = { id: this.o.id, sign: (m: Uint8Array) => this.o.sign(m) };
    return encodeReport(signReport(me, { round, updateHash: sha256(model), mae: ppm(this.o.mae(model)), n }, prev));
  }

  /** Handler for fl/<task>/audit: the approval message, or undefined (not a member, a reported
   *  model never reached us, or the audit failed). Throws on a malformed request. */
  approvalFor(payload: Uint8Array): Uint8Array | undefined {
    const q = decodeAudit(payload);
    if (!q.committee.includes(this.o.id)) return undefined;
    const recomputed = new Map<string, number>();
    for (const r of q.reports) {
      const blob = this.o.blobs.get(r.updateHash);
      if (!blob) return undefined;
      recomputed.set(r.party, ppm(this.o.mae(blob)));
    }
    const global = decodeModel(q.global).params;
    if (!auditWithin(q.reports, recomputed, ppm(this.o.mae(q.global)), q.tolerance)) return undefined;
    const digest = blockDigest(q.round, q.prev, q.leader, q.reports, global);
    return encodeApproval(q.round, { member: this.o.id, sig: this.o.sign(digest) });
  }

}

// PoQ evidence gathered in-process (seed 001 (PoQ) §III-D) for runs whose boards live in the
// same process: each party reports MAE(m_i) of its own update on its own data (Eq. 6) and
// signs it with its device key; every member audits the leader's block (each reported model's
// MAE recomputed on its own data, and the global model's) and signs an approval. Each step
// runs on the board's own firmware instance and shard. The networked protocol replaces this.
import type { Signer } from '../../gateway/ledger/index.js';
import { aggregator } from '../../gateway/aggregate/index.js';
import { poqEngine, signReport, blockDigest, auditWithin, type QualityReport } from '../../gateway/consensus/poq.js';
import type { RoundInput } from '../../gateway/consensus/engine.js';
import type { EvidenceSource } from '../../gateway/round/ports.js';
import { encodeModel, type ModelHeader } from '../../protocol/model-blob.js';
import type { Kernel, Dataset } from '../../boards/firmware/kernel.js';

export interface InProcessBoard { id: string; kernel: Kernel; data: Dataset; signer: Signer }

/** PoQ reports and approvals from boards in this process (tolerance in ppm, default 600000). */
export function poqInProcess(boards: readonly InProcessBoard[], header: ModelHeader, tolerance = 600_000): EvidenceSource {
  const byId = new Map(boards.map((b) => [b.id, b]));
  const maeOn = (b: InProcessBoard, params: Int32Array) => { b.kernel.load(encodeModel(header, params)); return Math.round(b.kernel.evaluate(b.data).mae * 1e6); };
  return {
    async collect(input: RoundInput) {
      const reports: QualityReport[] = input.candidates.filter((c) => byId.has(c.id)).map((c) => {
        const b = byId.get(c.id)!;
        return signReport(b.signer, { round: input.round, updateHash: c.updateHash, mae: maeOn(b, c.params), n: c.n }, input.prev);
      }).sort((a, b) => (a.party < b.party ? -1 : 1));
      const ctx = { keyOf: (id: string) => byId.get(id)?.signer.publicKey, rule: aggregator('fedavg') };
      const draft = poqEngine().decide(input, { reports, approvals: [] }, ctx);
      const global = input.candidates.length ? aggregator('fedavg')(input.candidates.map((c) => ({ params: c.params, n: c.n }))) : undefined;
      const digest = blockDigest(input.round, input.prev, draft.leader ?? '', reports, global);
      const approvals = input.committee.filter((m) => byId.has(m)).flatMap((m) => {
        const b = byId.get(m)!;
        const recomputed = new Map(input.candidates.map((c) => [c.id, maeOn(b, c.params)]));
        return global && auditWithin(reports, recomputed, maeOn(b, global), tolerance) ? [{ member: m, sig: b.signer.sign(digest) }] : [];
      });
      return { reports, approvals };
    },
  };
}

// Re-runs every round decided by device evidence from what the chain recorded (seeds 001, 002:
// anyone can audit why an update was accepted): for each block whose header commits to an
// evidence record (`cons.evidence`), it loads the record and the pooled device envelopes from
// the content store, rebuilds the engine the genesis names (consensus/registry.ts), re-checks
// every signature by deciding again, and compares the accepted set and the model hash with the
// block. The committee of each round must be the one the chain elected in the round before.
import { sha256, bytesEqual, toHex } from '../../protocol/bytes.js';
import { parseSign1 } from '../../protocol/cose.js';
import { decodeUpdate } from '../../protocol/update.js';
import { decodeModel, encodeModel, type ModelHeader } from '../../protocol/model-blob.js';
import { MAX_UPDATE_BYTES } from '../../protocol/limits.js';
import type { Ledger, GlobalModelBody, UpdateRecordBody } from '../ledger/index.js';
import { canonicalOrder, type Candidate } from '../consensus/engine.js';
import { engineFromParams } from '../consensus/registry.js';
import { decodeEvidenceRecord } from '../round/evidence-record.js';
import { decideOrEmpty } from '../round/machine.js';

export interface ReplayResult { ok: boolean; checked: number; failures: { height: number; reason: string }[] }

/** Re-runs the recorded decisions of `ledger`. Never throws on bad records: they are failures. */
export async function replayDecisions(ledger: Ledger): Promise<ReplayResult> {
  const params = ledger.params();
  const { engine, rule } = engineFromParams(params);
  const failures: ReplayResult['failures'] = [];
  if (engine.caps.evidence !== 'devices') return { ok: true, checked: 0, failures };
  // device evidence is signed by devices: their registered keys
  const ctx = { keyOf: (id: string) => ledger.deviceRecord(id)?.publicKey, rule };
  let committee: string[] | undefined;
  let checked = 0;
  // The round's global model (engines with direction trust need it): the previous block's model
  // from the content store; unknown before the first recorded model (the initial model is
  // configuration, not chain content), so a trust round 1 cannot be re-run from the chain alone.
  let base: Int32Array | undefined;
  for (let h = 1; h <= ledger.height; h++) {
    const b = await ledger.block(h);
    const model = b.txs.find((t) => t.type === 'model')?.body as GlobalModelBody | undefined;
    const ev = b.header.cons.evidence;
    const fail = (reason: string) => failures.push({ height: h, reason });
    if (ev) {
      try {
        const bytes = await ledger.getBlob(ev);
        if (!bytes || !bytesEqual(sha256(bytes), ev)) { fail('evidence record missing from the content store'); continue; }
        const rec = decodeEvidenceRecord(bytes);
        if (rec.engine !== engine.name || rec.round !== b.header.cons.round || !bytesEqual(rec.prev, b.header.prev)) { fail('evidence record is for another engine, round or parent'); continue; }
        if (committee && rec.committee.join() !== committee.join()) { fail(`committee ${rec.committee.join()} is not the one the chain elected (${committee.join()})`); continue; }
        const candidates: Candidate[] = [];
        let header: ModelHeader | undefined;
        for (const e of rec.pool) {
          const env = await ledger.getBlob(e);
          if (!env) throw new Error(`pooled envelope ${toHex(e).slice(0, 16)}… missing`);
          const msg = parseSign1(env, MAX_UPDATE_BYTES);
          const f = decodeUpdate(msg.payload, MAX_UPDATE_BYTES);
          const m = decodeModel(f.model);
          header ??= m.header;
          candidates.push({ id: new TextDecoder().decode(msg.kid), n: f.n, params: m.params, updateHash: sha256(f.model) });
        }
        const input = { round: rec.round, prev: rec.prev, committee: rec.committee, candidates: canonicalOrder(candidates), base };
        const { decision } = decideOrEmpty({ engine, ctx }, input, engine.decodeEvidence(rec.evidence));
        const recorded = b.txs.filter((t) => t.type === 'update').map((t) => (t.body as UpdateRecordBody).deviceId).sort();
        if (decision.accepted.join() !== recorded.join()) { fail(`re-run accepts ${decision.accepted.join() || 'nothing'}, the block records ${recorded.join() || 'nothing'}`); continue; }
        const mine = decision.params && header ? sha256(encodeModel(header, decision.params)) : undefined;
        if ((mine === undefined) !== (model === undefined) || (mine && model && !bytesEqual(mine, model.modelHash))) { fail('re-run gives another global model'); continue; }
        checked++;
      } catch (e) { fail(String((e as Error)?.message ?? e)); continue; }
    }
    if (model?.committee) committee = model.committee;
    if (model) { const blob = await ledger.getBlob(model.modelHash); base = blob ? decodeModel(blob).params : undefined; }
  }
  return { ok: failures.length === 0, checked, failures };
}

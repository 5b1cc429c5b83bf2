// PoQ evidence over the transport (seed 001 (PoQ) §III-D). Every party publishes a signed
// report of its update's MAE on its own data right after training (fl/<task>/report/<party>);
// once the round closes, the gateway that gathers evidence waits for the candidates' reports,
// computes the leader's block (poqDraft: leader by Eq. 7, the global model, the digest), and
// publishes an audit request with the reports and the global model (fl/<task>/audit); every
// member recomputes the MAE of each reported model and of the global model on its own data
// and, within tolerance, publishes its signed approval (fl/<task>/approve/<member>). Reports
// and approvals are checked at the edge (round, party/member, signature over prev / digest);
// a party or member that does not answer in time is missing, and the engine's threshold (every
// party by default) decides what that means.
import { encodeModel, type ModelHeader } from '../../protocol/model-blob.js';
import { decodeReport, decodeApproval, encodeAudit, reportBytes, type QualityReport, type PoqApproval } from '../../protocol/poq.js';
import { auditTopic, reportFilter, approveFilter, parseTopic } from '../../protocol/topics.js';
import type { Clock } from '../../protocol/clock.js';
import type { Transport } from '../../protocol/transport.js';
import { verifySig } from '../ledger/signer.js';
import { poqDraft, type PoqEvidence } from '../consensus/poq.js';
import type { EngineContext, RoundInput } from '../consensus/engine.js';
import type { EvidenceSource } from '../round/ports.js';

export interface PoqEvidenceOptions {
  task: string; transport: Transport; clock: Clock; ctx: EngineContext;
  /** Header of the task's model (the audit request carries the global model as a blob). */
  header: ModelHeader;
  /** Members' audit tolerance on |recomputed − reported| MAE, ppm. */
  tolerance: number;
  timeoutMs: number;
  onBytes?(n: number): void;
  onReject?(e: { id?: string; reason: string; detail: string }): void;
}

/** Reports and approvals gathered over the transport. Reports may arrive before the round
 *  closes, so they are kept by round (this round and the next). */
export class PoqEvidenceSource implements EvidenceSource {
  readonly topics: string[];
  private readonly reports = new Map<number, Map<string, { r: QualityReport; prev?: Uint8Array }>>();
  private wakeReports?: () => void;
  private open?: { input: RoundInput; digest: Uint8Array; approvals: Map<string, PoqApproval>; done(): void };

  constructor(private readonly o: PoqEvidenceOptions) { this.topics = [reportFilter(o.task), approveFilter(o.task)]; }

  onMessage(topic: string, payload: Uint8Array): void {
    this.o.onBytes?.(payload.length);
    const t = parseTopic(topic);
    try {
      if (t?.kind === 'report') this.onReport(t.id!, payload);
      else if (t?.kind === 'approve') this.onApproval(t.id!, payload);
    } catch (e) {
      this.o.onReject?.({ id: t?.id, reason: (e as { reason?: string }).reason ?? 'bad_message', detail: String((e as Error)?.message ?? e) });
    }
  }

  /** Handler for fl/<task>/report/<party>: kept by round; its signature is checked against the
   *  round's parent hash when the round's evidence is gathered (or here, once that is known). */
  private onReport(party: string, payload: Uint8Array): void {
    const r = decodeReport(payload);
    if (r.party !== party) throw Object.assign(new Error(`report of ${r.party} on the topic of ${party}`), { reason: 'topic_mismatch' });
    const rounds = [...this.reports.keys()];
    if (rounds.length && r.round < Math.max(...rounds) - 1) return;   // long gone
    // Bounded: only registered parties (the map is keyed by party). Open: a registered party's
    // report for a far-future round still evicts older rounds' reports (a gateway that does not
    // gather evidence itself does not know the current round here).
    if (!this.o.ctx.keyOf(party)) throw Object.assign(new Error(`report of unregistered ${party}`), { reason: 'unknown_device' });
    let m = this.reports.get(r.round);
    if (!m) { this.reports.set(r.round, (m = new Map())); for (const k of this.reports.keys()) if (k < r.round - 1) this.reports.delete(k); }
    if (!m.has(party)) m.set(party, { r });
    this.wakeReports?.();
  }

  /** Handler for fl/<task>/approve/<member>: a signature over the open audit's digest. */
  private onApproval(member: string, payload: Uint8Array): void {
    const { round, approval } = decodeApproval(payload);
    const a = this.open;
    if (!a || round !== a.input.round) return;
    if (approval.member !== member || !a.input.committee.includes(member)) throw Object.assign(new Error(`${approval.member} is not a member of round ${round}`), { reason: 'not_member' });
    const key = this.o.ctx.keyOf(member);
    if (!key || !verifySig(key, a.digest, approval.sig)) throw Object.assign(new Error(`approval of ${member} does not verify`), { reason: 'bad_signature' });
    if (!a.approvals.has(member)) a.approvals.set(member, approval);
    if (a.input.committee.every((m) => a.approvals.has(m))) a.done();
  }

  /** The candidates' reports whose signatures verify over this round's parent hash. */
  private validReports(input: RoundInput): QualityReport[] {
    const m = this.reports.get(input.round) ?? new Map();
    const ids = new Set(input.candidates.map((c) => c.id));
    const out: QualityReport[] = [];
    for (const [party, { r }] of m) {
      const key = this.o.ctx.keyOf(party);
      const c = input.candidates.find((x) => x.id === party);
      if (!ids.has(party) || !key || !c || !verifySig(key, reportBytes(r, input.prev), r.sig) || c.n !== r.n || c.updateHash.some((b, i) => b !== r.updateHash[i])) {
        m.delete(party);
        this.o.onReject?.({ id: party, reason: 'bad_report', detail: `report of ${party} does not match its update or the round's parent` });
        continue;
      }
      out.push(r);
    }
    return out.sort((a, b) => (a.party < b.party ? -1 : 1));
  }

  private wait(cond: () => boolean, signal: AbortSignal, set: (w: (() => void) | undefined) => void): Promise<void> {
    return new Promise((res) => {
      if (cond()) return res();
      const cancel = this.o.clock.setTimer(this.o.timeoutMs, () => { set(undefined); res(); });
      const done = () => { cancel(); set(undefined); res(); };
      set(() => { if (cond()) done(); });
      signal.addEventListener('abort', done, { once: true });
    });
  }

  async collect(input: RoundInput, signal: AbortSignal): Promise<PoqEvidence> {
    const wanted = () => this.validReports(input).length >= input.candidates.length;
    await this.wait(wanted, signal, (w) => { this.wakeReports = w; });
    const reports = this.validReports(input);
    if (!reports.length || signal.aborted) return { reports, approvals: [] };
    const d = poqDraft(input, reports, this.o.ctx);
    if (!d.leader || !d.params) return { reports: d.reports, approvals: [] };
    const approvals = new Map<string, PoqApproval>();
    await new Promise<void>((res) => {
      const cancel = this.o.clock.setTimer(this.o.timeoutMs, () => res());
      const done = () => { cancel(); res(); };
      this.open = { input, digest: d.digest, approvals, done };
      signal.addEventListener('abort', done, { once: true });
      const global = encodeModel(this.o.header, d.params!);
      void this.o.transport.publish(auditTopic(this.o.task), encodeAudit({ round: input.round, prev: input.prev, leader: d.leader!, committee: [...input.committee], reports: d.reports, global, tolerance: this.o.tolerance }), { qos: 1 });
    });
    this.open = undefined;
    return { reports: d.reports, approvals: [...approvals.values()].sort((a, b) => (a.member < b.member ? -1 : 1)) };
  }
}

// The simulated gateway: the gateway's real admission check (gateway/check-update.ts), wire
// formats, topics, aggregation rules and ledger, driven round by round by a ConsensusStrategy.
// It differs from gateway/gateway.ts in what the simulator needs: per-round selection and a
// committee, extra detectors (copies, free riders), and a round that closes when the fleet
// says every board has spoken (sim/protocol.ts) rather than at a wall-clock deadline.
import type { KeyObject } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import { sha256 } from '@noble/hashes/sha2.js';
import { checkUpdate, type AcceptedUpdate, type RoundContext } from '../../gateway/check-update.js';
import { encodeGlobal } from '../../protocol/announcement.js';
import { globalTopic, updateFilter, deviceOfUpdateTopic } from '../../protocol/topics.js';
import { decodeModel, encodeModel, MAX_MODEL_BYTES, type ModelHeader } from '../../protocol/model-blob.js';
import { Ledger, updateRecordTx, globalModelTx, type Signer } from '../../gateway/ledger/index.js';
import type { Scenario } from '../scenario/schema.js';
import { planTopic, validateTopic, scoreFilter, doneFilter, deviceIndex, deviceId, parseControl, type PlanMsg, type DoneMsg } from '../protocol.js';
import type { ScoreSheet } from '../../gateway/consensus/committee.js';
import type { ConsensusStrategy, Candidate, Rejected, RoundPlan, RoundView } from './strategy.js';

export interface DeviceEntry { key: KeyObject; counter: number }

export interface CoordinatorOptions {
  scenario: Scenario; task: string; strategy: ConsensusStrategy; workers: number;
  gatewayId: string; gatewayKey: KeyObject; signer: Signer; ledger?: Ledger;
  devices: DeviceEntry[]; initialModel: Uint8Array;
  epochs(round: number): number;
  evaluate(model: Uint8Array): { accuracy: number; loss: number };
  /** Longest a round may wait for the fleet before closing with what it has. */
  roundTimeoutMs?: number;
  now?: () => number;
}

/** Everything measured in one round (one CSV row; reputation goes to its own file). */
export interface RoundResult {
  round: number; accuracy: number; loss: number;
  trainers: number; committee: number; received: number; accepted: number; rejected: number;
  reasons: Record<string, number>; unavailable: number; lost: number;
  bytesUp: number; bytesDown: number; units: number;
  consensusMs: number; wallMs: number;
  acceptedIds: number[]; rejectedList: Rejected[]; scores?: Map<number, number>; reputation?: Map<number, number>;
}

export class Coordinator {
  private client?: MqttClient;
  private model: Uint8Array;
  private modelHash: Uint8Array;
  private readonly header: ModelHeader;
  private open?: {
    round: number; trainers: Set<number>; committee: Set<number>; accepted: Map<number, AcceptedUpdate>;
    rejected: Rejected[]; hashes: Map<string, number>; dones: DoneMsg[]; bytesUp: number; sheets: Map<string, ScoreSheet>;
    view: RoundView; plan: RoundPlan;
    wake?: () => void;
  };

  constructor(private readonly o: CoordinatorOptions) {
    this.model = o.initialModel;
    this.modelHash = sha256(o.initialModel);
    this.header = decodeModel(o.initialModel).header;
  }

  get globalModel(): Uint8Array { return this.model; }
  /** The plan of the round in progress (or the last one). */
  get currentPlan(): RoundPlan { return this.plan; }
  private plan: RoundPlan = { trainers: [], committee: [] };

  async connect(url: string): Promise<void> {
    this.client = await mqtt.connectAsync(url, { clientId: `gw-${this.o.gatewayId}-${this.o.task}`, clean: true, reconnectPeriod: 500 });
    this.client.on('message', (topic, payload) => this.dispatch(topic, new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength)));
    await this.client.subscribeAsync([updateFilter(this.o.task), scoreFilter(this.o.task), doneFilter(this.o.task)], { qos: 1 });
  }

  /** The one dispatch point: updates, committee scores, fleet end-of-round markers. */
  private dispatch(topic: string, payload: Uint8Array): void {
    const r = this.open;
    if (!r) return;
    const dev = deviceOfUpdateTopic(topic);
    if (dev !== undefined) this.onUpdate(dev, payload);
    else if (topic.startsWith(`fl/${this.o.task}/score/`)) this.onScore(payload);
    else if (topic.startsWith(`fl/${this.o.task}/sim/done/`)) {
      try { const d = parseControl<DoneMsg>(payload, ['round', 'worker', 'sent']); if (d.round === r.round) r.dones.push(d); } catch { /* malformed marker: ignored */ }
    }
    r.wake?.();
  }

  /** Handler for fl/<task>/update/<device>: admission (docs/protocol.md §Admission), then
   *  selection and the optional copy / no-progress detectors. */
  private onUpdate(topicDevice: string, payload: Uint8Array): void {
    const r = this.open!;
    r.bytesUp += payload.byteLength;
    const ctx: RoundContext = {
      task: this.o.task, round: r.round, baseHash: this.modelHash, baseHeader: this.header, maxBytes: MAX_MODEL_BYTES + 4096,
      device: (id) => this.o.devices[deviceIndex(id)], hasUpdate: (id) => r.accepted.has(deviceIndex(id)),
    };
    const v = checkUpdate(payload, topicDevice, ctx);
    const idx = deviceIndex(topicDevice);
    if (!v.ok) { r.rejected.push({ index: idx, reason: v.reason, detail: v.detail }); return; }
    const u = v.update;
    this.o.devices[idx].counter = u.fields.ctr;
    if (!r.trainers.has(idx)) { r.rejected.push({ index: idx, reason: 'not_selected', detail: 'device is not a trainer this round' }); return; }
    const h = Buffer.from(u.updateHash).toString('hex');
    const det = this.o.scenario.detect;
    if (det.noProgress && equal(u.updateHash, this.modelHash)) {
      r.rejected.push({ index: idx, reason: 'no_progress', detail: 'update is the unchanged global model (free rider)' }); return;
    }
    const first = r.hashes.get(h);
    if (det.copies && first !== undefined) {
      r.rejected.push({ index: idx, reason: 'copied_update', detail: `model identical to ${deviceId(first)}'s update (lazy copy, 004 §IV-A)` }); return;
    }
    if (first === undefined) r.hashes.set(h, idx);
    r.accepted.set(idx, u);
  }

  /** Handler for fl/<task>/score/<member>: one signed score sheet in the committee engine's
   *  evidence format (gateway/consensus/committee.ts). The strategy checks round, membership
   *  and the member's signature here at the edge, so one bad sheet is dropped rather than
   *  failing the round's decision; the engine verifies the kept sheets again. First sheet wins. */
  private onScore(payload: Uint8Array): void {
    const r = this.open!;
    r.bytesUp += payload.byteLength;
    try {
      const sheet = this.o.strategy.admitSheet!(r.view, r.plan.committee, payload);
      if (!r.sheets.has(sheet.member)) r.sheets.set(sheet.member, sheet);
    } catch { /* malformed, foreign or badly signed sheets are dropped like any bad message */ }
  }

  private async waitFor(cond: () => boolean, what: string): Promise<boolean> {
    const r = this.open!;
    const deadline = (this.o.roundTimeoutMs ?? 120_000);
    if (cond()) return true;
    return new Promise<boolean>((res) => {
      const timer = setTimeout(() => { r.wake = undefined; process.emitWarning(`round ${r.round}: timed out waiting for ${what}`); res(false); }, deadline);
      r.wake = () => { if (cond()) { clearTimeout(timer); r.wake = undefined; res(true); } };
    });
  }

  private publish(topic: string, body: Uint8Array | string, retain = false): Promise<unknown> {
    return this.client!.publishAsync(topic, typeof body === 'string' ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength), { qos: 1, retain });
  }

  /** Runs one round end to end and returns its measurements. */
  async round(t: number): Promise<RoundResult> {
    const now = this.o.now ?? Date.now;
    const start = now();
    const s = this.o.scenario;
    const plan = this.o.strategy.plan(t);
    this.plan = plan;
    this.open = {
      round: t, trainers: new Set(plan.trainers), committee: new Set(plan.committee), accepted: new Map(), rejected: [],
      hashes: new Map(), dones: [], bytesUp: 0, sheets: new Map(), view: { round: t, prev: this.modelHash }, plan,
    };
    const r = this.open;
    const msg: PlanMsg = { round: t, trainers: plan.trainers, committee: plan.committee, epochs: this.o.epochs(t), done: false };
    await this.publish(planTopic(this.o.task), JSON.stringify(msg));
    const globalMsg = encodeGlobal(this.o.gatewayId, { task: this.o.task, round: t, model: this.model, done: false }, this.o.gatewayKey);
    await this.publish(globalTopic(this.o.task), globalMsg, true);

    await this.waitFor(() => r.dones.length >= this.o.workers && r.accepted.size + r.rejected.length >= r.dones.reduce((a, d) => a + d.sent, 0), 'the fleet');
    const c0 = now();
    const candidates: Candidate[] = [...r.accepted.values()].map((u) => ({ index: deviceIndex(u.deviceId), params: u.params, n: u.fields.n, updateHash: u.updateHash }))
      .sort((a, b) => a.index - b.index);
    if (this.o.strategy.needsScores && candidates.length > 0) {
      await this.publish(validateTopic(this.o.task), JSON.stringify({ round: t, candidates: candidates.map((c) => c.index) }));
      await this.waitFor(() => r.sheets.size >= r.committee.size, 'committee scores');
    }
    // Sheets in member order: the engine's decision must not depend on arrival order.
    const sheets = [...r.sheets.values()].sort((a, b) => (a.member < b.member ? -1 : a.member > b.member ? 1 : 0));
    const d = this.o.strategy.decide(r.view, candidates, sheets);
    const consensusMs = now() - c0;
    this.open = undefined;

    if (d.params) {
      this.model = encodeModel(this.header, d.params);
      this.modelHash = sha256(this.model);
    }
    const ev = this.o.evaluate(this.model);
    if (this.o.ledger) await this.record(t, d.accepted.map((c) => r.accepted.get(c.index)!), d.scores);

    const rejectedList = [...r.rejected, ...d.rejected];
    const reasons: Record<string, number> = {};
    for (const x of rejectedList) reasons[x.reason] = (reasons[x.reason] ?? 0) + 1;
    const receivers = plan.trainers.length + plan.committee.length;
    const m = plan.committee.length;
    return {
      round: t, accuracy: ev.accuracy, loss: ev.loss, trainers: plan.trainers.length, committee: m,
      received: r.accepted.size + r.rejected.length, accepted: d.accepted.length, rejected: rejectedList.length, reasons,
      unavailable: r.dones.reduce((a, x) => a + x.unavailable, 0), lost: r.dones.reduce((a, x) => a + x.lost, 0),
      bytesUp: r.bytesUp, bytesDown: globalMsg.length * receivers + candidates.reduce((a, c) => a + (r.accepted.get(c.index)!.envelope.length) * m, 0),
      // 002 Fig. 5 transmission units: one per full model moved (global to each receiver, each
      // update to the gateway and to each committee member)
      units: receivers + (r.accepted.size + r.rejected.length) + candidates.length * m,
      consensusMs, wallMs: now() - start, acceptedIds: d.accepted.map((c) => c.index), rejectedList, scores: d.scores, reputation: d.reputation,
    };
  }

  /** One block per round: an update record per aggregated update (score = committee median,
   *  ppm) and the new global model with its accuracy. */
  private async record(t: number, ups: AcceptedUpdate[], scores?: Map<number, number>): Promise<void> {
    const { ledger, signer } = this.o;
    const txs = [];
    for (const u of ups) {
      await ledger!.putBlob(u.envelope);
      txs.push(updateRecordTx(signer, {
        task: this.o.task, round: t, deviceId: u.deviceId, envelopeHash: u.envelopeHash, updateHash: u.updateHash,
        n: u.fields.n, score: scores?.get(deviceIndex(u.deviceId)) ?? 0, ctr: u.fields.ctr,
      }));
    }
    await ledger!.putBlob(this.model);
    txs.push(globalModelTx(signer, { task: this.o.task, round: t, modelHash: this.modelHash, updates: ups.map((u) => u.updateHash) }));
    await ledger!.append(signer, txs, { engine: this.o.strategy.name, round: t }, t);
  }

  /** Announces the end of training (done = true) and disconnects. */
  async close(rounds: number): Promise<void> {
    if (this.client) {
      await this.publish(planTopic(this.o.task), JSON.stringify({ round: rounds + 1, trainers: [], committee: [], epochs: 0, done: true }));
      await this.publish(globalTopic(this.o.task), encodeGlobal(this.o.gatewayId, { task: this.o.task, round: rounds + 1, model: this.model, done: true }, this.o.gatewayKey), true);
      await this.client.endAsync();
    }
  }
}

const equal = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

// The edge gateway (road-side unit / super node): relays over MQTT, admits signed updates,
// aggregates them (base-station emulation), records each round on the ledger and publishes
// the new global model as a retained message. I/O (MQTT client, ledger, clock, evaluator)
// is injected; rules live in pure modules (check-update, round, aggregate/*).
import type { KeyObject } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import { sha256 } from '@noble/hashes/sha2.js';
import { checkUpdate, type RoundContext } from './check-update.js';
import { RoundState, type Rejection } from './round.js';
import { fedAvg } from './aggregate/fedavg.js';
import { encodeGlobal } from '../protocol/announcement.js';
import { publicKeyObject } from '../protocol/cose.js';
import { encodeCanonical } from '../protocol/cbor.js';
import { globalTopic, updateFilter, roundTopic, ackTopic, deviceOfUpdateTopic } from '../protocol/topics.js';
import { decodeModel, encodeModel, MAX_MODEL_BYTES, type ModelHeader } from '../protocol/model-blob.js';
import { Ledger, updateRecordTx, globalModelTx, type Signer } from './ledger/index.js';

export interface GatewayLog {
  (e: { level: 'info' | 'warn'; event: string; [k: string]: unknown }): void;
}

export interface GatewayOptions {
  id: string;
  task: string;
  ledger: Ledger;
  signer: Signer;             // block proposer key (Ed25519)
  signingKey: KeyObject;      // same key as node KeyObject for COSE announcements
  initialModel: Uint8Array;
  rounds: number;
  expected: string[];         // devices selected for each round
  roundTimeoutMs: number;
  maxUpdateBytes?: number;
  evaluate?: (model: Uint8Array) => { accuracy: number; loss: number };
  log?: GatewayLog;
  now?: () => number;
}

/** One finished round, as printed by the demo and published on fl/<task>/round. */
export interface RoundSummary {
  round: number;
  accepted: number;
  rejected: Rejection[];
  accuracy?: number;
  loss?: number;
  modelHash: string;
  height: number;
  ms: number;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** Runs `rounds` FedAvg rounds over MQTT. */
export class Gateway {
  private client?: MqttClient;
  private model: Uint8Array;
  private modelHash: Uint8Array;
  private baseHeader: ModelHeader;
  private nextRound = 1;
  private round?: RoundState;
  private roundDone?: () => void;
  private readonly maxUpdateBytes: number;
  private readonly log: GatewayLog;
  private stopped = false;

  constructor(private readonly o: GatewayOptions) {
    this.model = o.initialModel;
    this.modelHash = sha256(o.initialModel);
    this.baseHeader = decodeModel(o.initialModel).header;
    this.maxUpdateBytes = o.maxUpdateBytes ?? MAX_MODEL_BYTES + 4096;
    this.log = o.log ?? (() => {});
  }

  /** Connects and subscribes to updates. */
  async connect(brokerUrl: string): Promise<void> {
    this.client = await mqtt.connectAsync(brokerUrl, { clientId: `gw-${this.o.id}`, reconnectPeriod: 500, clean: true });
    this.client.on('message', (topic, payload) => this.dispatch(topic, new Uint8Array(payload)));
    // transport errors are logged; mqtt.js reconnects on its own (reconnectPeriod)
    this.client.on('error', (e) => this.log({ level: 'warn', event: 'transport_error', detail: e.message }));
    await this.client.subscribeAsync(updateFilter(this.o.task), { qos: 1 });
  }

  /** The single dispatch point: one handler per message type. */
  private dispatch(topic: string, payload: Uint8Array): void {
    try {
      const device = deviceOfUpdateTopic(topic);
      if (device !== undefined) return this.onUpdate(device, payload);
      this.log({ level: 'warn', event: 'reject', reason: 'unknown_topic', topic });
    } catch (e) {
      // a handler bug must not take the gateway down; the message is dropped and logged
      this.log({ level: 'warn', event: 'reject', reason: 'internal_error', topic, detail: String((e as Error)?.stack ?? e) });
    }
  }

  private deviceKey(id: string): { key: KeyObject; counter: number } | undefined {
    const d = this.o.ledger.device(id);
    if (!d) return undefined;
    return { key: publicKeyObject(d.publicKey), counter: d.counter };
  }

  /** Handler for fl/<task>/update/<device>. Every message is fully checked, even between
   *  rounds, so its log line names the real fault (a forged update is `bad_signature`, not late). */
  private onUpdate(topicDevice: string, payload: Uint8Array): void {
    const r = this.round;
    const ctx: RoundContext = {
      task: this.o.task, round: r?.round ?? this.nextRound, baseHash: this.modelHash, baseHeader: this.baseHeader,
      maxBytes: this.maxUpdateBytes, device: (id) => this.deviceKey(id), hasUpdate: (id) => r?.has(id) ?? false,
    };
    let v = checkUpdate(payload, topicDevice, ctx);
    if (v.ok && !r) v = { ok: false, reason: 'no_open_round', detail: 'arrived between rounds', deviceId: v.update.deviceId };
    if (!v.ok) {
      r?.reject({ device: v.deviceId, reason: v.reason, detail: v.detail });
      this.log({ level: 'warn', event: 'reject', round: ctx.round, device: v.deviceId, reason: v.reason, detail: v.detail });
      this.ack(topicDevice, { round: ctx.round, accepted: false, reason: v.reason });
      return;
    }
    r!.accept(v.update);
    this.ack(topicDevice, { round: r!.round, accepted: true, reason: 'ok' });
    if (r!.complete) this.roundDone?.();
  }

  private ack(device: string, body: { round: number; accepted: boolean; reason: string }): void {
    try { this.client?.publish(ackTopic(this.o.task, device), Buffer.from(encodeCanonical(body)), { qos: 0 }); } catch { /* invalid topic segment: nothing to ack */ }
  }

  private publishGlobal(round: number, done: boolean): Promise<unknown> {
    const msg = encodeGlobal(this.o.id, { task: this.o.task, round, model: this.model, done }, this.o.signingKey);
    return this.client!.publishAsync(globalTopic(this.o.task), Buffer.from(msg), { qos: 1, retain: true });
  }

  /** Runs all rounds; `onRound` sees each summary as it completes. */
  async run(onRound?: (s: RoundSummary) => void): Promise<RoundSummary[]> {
    const out: RoundSummary[] = [];
    const now = this.o.now ?? Date.now;
    for (let t = 1; t <= this.o.rounds && !this.stopped; t++) {
      const start = now();
      const state = new RoundState(t, new Set(this.o.expected));
      this.round = state;
      const finished = new Promise<void>((res) => {
        this.roundDone = res;
        const timer = setTimeout(res, this.o.roundTimeoutMs);
        timer.unref?.();
      });
      await this.publishGlobal(t, false);
      await finished;
      this.round = undefined;
      this.roundDone = undefined;
      this.nextRound = t + 1;
      const s = await this.closeRound(state, now() - start);
      out.push(s);
      onRound?.(s);
      this.client?.publish(roundTopic(this.o.task), Buffer.from(JSON.stringify(s)), { qos: 0 });
    }
    if (!this.stopped) await this.publishGlobal(this.o.rounds + 1, true);
    return out;
  }

  /** Aggregates the accepted updates, commits the round's block and moves the global model. */
  private async closeRound(state: RoundState, ms: number): Promise<RoundSummary> {
    const ups = state.ordered();
    const { ledger, signer, task } = this.o;
    if (ups.length > 0) {
      const base = decodeModel(this.model);
      const params = fedAvg(ups.map((u) => ({ params: u.params, n: u.fields.n })));
      this.model = encodeModel(base.header, params);
      this.modelHash = sha256(this.model);
    }
    const ev = this.o.evaluate?.(this.model);
    const txs = [];
    for (const u of ups) {
      await ledger.putBlob(u.envelope);
      txs.push(updateRecordTx(signer, {
        task, round: state.round, deviceId: u.deviceId, envelopeHash: u.envelopeHash,
        updateHash: u.updateHash, n: u.fields.n, score: 0, ctr: u.fields.ctr,
      }));
    }
    await ledger.putBlob(this.model);
    txs.push(globalModelTx(signer, {
      task, round: state.round, modelHash: this.modelHash, updates: ups.map((u) => u.updateHash),
      accuracy: ev ? Math.round(ev.accuracy * 1e6) : undefined,
    }));
    const block = await ledger.append(signer, txs, { engine: 'fedavg', round: state.round }, (this.o.now ?? Date.now)());
    return {
      round: state.round, accepted: ups.length, rejected: state.rejected, accuracy: ev?.accuracy, loss: ev?.loss,
      modelHash: hex(this.modelHash), height: ledger.height, ms,
    };
  }

  /** The current global model blob. */
  get globalModel(): Uint8Array { return this.model; }

  /** Stops after the current round (used on Ctrl-C). */
  stop(): void { this.stopped = true; this.roundDone?.(); }

  async close(): Promise<void> {
    await this.client?.endAsync();
  }
}

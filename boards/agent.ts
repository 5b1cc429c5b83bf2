// The device agent: hosts one firmware instance, follows the gateway's signed global-model
// announcements, trains on the board's local data inside the firmware and publishes a signed
// update. Local data never leaves the agent; only signed model updates do. The transport is
// injected (boards/transport/mqtt.ts on a real board, protocol/memory-bus.ts in tests).
import { FirmwareInstance, defaultHostIO, type HostIO } from './firmware/instance.js';
import { escapeText } from '../protocol/log-text.js';
import { Kernel, type Dataset, type TrainOptions } from './firmware/kernel.js';
import { checkDpOptions, privatizeParams, type DpOptions } from './firmware/dp.js';
import { decodeAnnouncement, type ChainTrust } from '../protocol/announcement.js';
import type { UpdateFields } from '../protocol/update.js';
import { globalTopic, updateTopic, updateFilter, validateTopic, auditTopic, presenceTopic, scoreTopic, reportTopic, approveTopic, parseTopic } from '../protocol/topics.js';
import { encodeCanonical } from '../protocol/cbor.js';
import { encodeSheets } from '../protocol/score-sheet.js';
import { encodePresence } from '../protocol/presence.js';
import type { EngineName } from '../protocol/task.js';
import { CommitteeMember } from './committee-member.js';
import { PoqParty } from './poq-party.js';
import { RoundBlobs } from './round-blobs.js';
import { decodeModel, encodeModel } from '../protocol/model-blob.js';
import { MAX_ANNOUNCEMENT_BYTES } from '../protocol/limits.js';
import type { Transport } from '../protocol/transport.js';
import { toHex } from '../protocol/bytes.js';
import type { BoardProfile } from './profiles.js';
import { FirmwareError, E_TOO_LARGE } from '../protocol/firmware-error.js';

export { checkDpOptions, type DpOptions };

/** Builds the signed update (COSE_Sign1). On real boards this is the firmware's signer. */
export interface UpdateSigner {
  publicKey(): Uint8Array;
  signUpdate(kid: Uint8Array, fields: UpdateFields): Uint8Array;
  /** L1-clips `values` and adds discrete Laplace noise for ε (in firmware); returns ε×1000 spent. */
  privatize?(values: Int32Array, clipL1: number, epsilon: number): { values: Int32Array; epsM: number };
  /** Ed25519 signature with the device key (committee score sheets). */
  sign?(msg: Uint8Array): Uint8Array;
}

export interface AgentOptions {
  id: string;
  task: string;
  profile: BoardProfile;
  data: Dataset;
  train: Omit<TrainOptions, 'seed'> & { seed: number };
  /** The board's chain and its gateways: announcements of any of them, certified by a quorum, are followed. */
  trust: ChainTrust;
  /** Creates the signer over this board's firmware instance (firmware signing by default). */
  signer: (fw: FirmwareInstance) => UpdateSigner;
  hostIO?: HostIO;
  /** Optional local DP of each update. */
  dp?: DpOptions;
  /** The task's round engine: under `committee` (seed 002 BFLC) the board scores candidates when
   *  named on the committee; under `poq` (seed 001) it reports its update's MAE and audits the
   *  leader's block. Other engines need only updates. */
  engine?: EngineName;
  /** Committee members also train and send a reference update (the committee engine's direction
   *  trust, docs/robustness.md); default false: members only score (002 §III). */
  membersTrain?: boolean;
  /** Events for logs and tests. */
  onEvent?: (e: { device: string; event: string; round?: number; detail?: string }) => void;
}

/** One emulated (or real, with a real transport) board.
 *  @example const a = new DeviceAgent(opts); await a.connect(await MqttTransport.connect(url, a.id)) */
export class DeviceAgent {
  readonly fw: FirmwareInstance;
  readonly kernel: Kernel;
  readonly signer: UpdateSigner;
  private transport?: Transport;
  private readonly trained: string[] = [];
  private counter = 0;
  private readonly kid: Uint8Array;
  private readonly blobs?: RoundBlobs;
  private readonly member?: CommitteeMember;
  private readonly party?: PoqParty;
  /** What this board published for the current round, re-sent after a reconnect (the broker
   *  may have restarted and lost it; gateways ignore an envelope they already admitted). */
  private sent: [string, Uint8Array][] = [];
  private wasDown = false;
  private resendsLeft = 0;
  private lastModel?: Uint8Array;

  constructor(private readonly o: AgentOptions) {
    if (o.dp) checkDpOptions(o.dp);
    this.fw = new FirmwareInstance(o.hostIO ?? defaultHostIO, o.profile.firmware);
    this.kernel = new Kernel(this.fw);
    this.signer = o.signer(this.fw);
    this.kid = new TextEncoder().encode(o.id);
    const sign = this.signer.sign?.bind(this.signer);
    if ((o.engine === 'committee' || o.engine === 'poq') && sign) {
      const blobs = (this.blobs = new RoundBlobs(o.task));
      const evaluate = (blob: Uint8Array) => { this.kernel.load(blob); return this.kernel.evaluate(this.o.data); };
      if (o.engine === 'committee') this.member = new CommitteeMember({ id: o.id, task: o.task, blobs, sign, score: (b) => evaluate(b).accuracy });
      else this.party = new PoqParty({ id: o.id, task: o.task, blobs, sign, mae: (b) => evaluate(b).mae });
    }
  }

  get id(): string { return this.o.id; }
  /** Number of local training samples (the data profile's size). */
  get samples(): number { return this.o.data.n; }
  publicKey(): Uint8Array { return this.signer.publicKey(); }
  /** Continues the message counter from `n` (a restarted board: the last counter the chain
   *  accepted, or what the board persisted); it never goes back. */
  resumeCounter(n: number): void { this.counter = Math.max(this.counter, n); }

  /** Starts following the global model over `transport` (the agent closes it on close()) and
   *  marks the board online (connect the transport with `presenceWill` so the broker marks it
   *  offline when it drops). */
  async connect(transport: Transport): Promise<void> {
    this.transport = transport;
    transport.onMessage((topic, payload) => this.dispatch(topic, payload));
    transport.onStatus?.((e) => {
      if (e.detail) this.o.onEvent?.({ device: this.o.id, event: e.up ? 'transport' : 'transport_error', detail: e.detail });
      if (!e.up) { this.wasDown = true; return; }
      if (!this.wasDown) return;
      this.wasDown = false;
      void this.announcePresence();
      for (const [t, b] of this.sent) this.send(t, b);
      // Gateways may resubscribe after us and miss that: each re-announces once it is back, and
      // each such repeat of the round we trained triggers one more resend (at most one per gateway).
      this.resendsLeft = this.o.trust.gateways.size;
    });
    const topics = [globalTopic(this.o.task)];
    if (this.blobs) topics.push(updateFilter(this.o.task));
    if (this.member) topics.push(validateTopic(this.o.task));
    if (this.party) topics.push(auditTopic(this.o.task));
    await transport.subscribe(topics);
    await this.announcePresence();
  }

  private announcePresence(): Promise<void> {
    return this.transport!.publish(presenceTopic(this.o.task, this.o.id), encodePresence({ online: true }), { qos: 1, retain: true }).catch(() => {});
  }

  private send(topic: string, bytes: Uint8Array): void {
    this.transport?.publish(topic, bytes, { qos: 1 }).catch((e) => this.o.onEvent?.({ device: this.o.id, event: 'publish_error', detail: String(e?.message ?? e) }));
  }

  /** Publishes and remembers for a resend after a reconnect. */
  private keep(topic: string, bytes: Uint8Array): void {
    this.sent.push([topic, bytes]);
    this.send(topic, bytes);
  }

  /** The single dispatch point: one handler per message type. */
  private dispatch(topic: string, payload: Uint8Array): void {
    const t = parseTopic(topic);
    if (!t || t.task !== this.o.task) return;
    try {
      if (t.kind === 'global') this.onGlobal(payload);
      else if (t.kind === 'update') this.blobs?.add(payload);
      else if (t.kind === 'validate' && this.member) {
        const r = this.member.sheetFor(payload);
        if (r) { this.keep(scoreTopic(this.o.task, this.o.id), encodeCanonical(encodeSheets([r.sheet]))); this.o.onEvent?.({ device: this.o.id, event: 'score_sheet', round: r.request.round }); }
      } else if (t.kind === 'audit' && this.party) {
        const a = this.party.approvalFor(payload);
        if (a) { this.keep(approveTopic(this.o.task, this.o.id), a); this.o.onEvent?.({ device: this.o.id, event: 'poq_approval' }); }
      }
    } catch (e) {
      this.o.onEvent?.({ device: this.o.id, event: 'reject_message', detail: escapeText(`${topic}: ${(e as Error).message}`) });
    }
  }

  /** Handler for fl/<task>/global: verify, train, sign, publish. Bad messages are logged and dropped. */
  private onGlobal(payload: Uint8Array): void {
    let g;
    try {
      g = decodeAnnouncement(payload, this.o.trust, MAX_ANNOUNCEMENT_BYTES);
    } catch (e) {
      this.o.onEvent?.({ device: this.o.id, event: 'reject_global', detail: escapeText((e as Error).message) });
      return;
    }
    if (g.task !== this.o.task || g.done) return;
    // Every gateway of the chain announces each round, and a restarted run on the same broker
    // may leave an older announcement retained: train each (round, head block) once, and never
    // lock onto a round number, so a stale announcement costs one training, not a stall.
    const key = `${g.round}/${toHex(g.block)}`;
    if (this.trained.includes(key)) {
      if (this.resendsLeft > 0 && key === this.trained[this.trained.length - 1]) { this.resendsLeft--; for (const [t, b] of this.sent) this.send(t, b); }
      return;
    }
    this.trained.push(key);
    if (this.trained.length > 32) this.trained.shift();
    if (g.committee?.includes(this.o.id)) { this.o.onEvent?.({ device: this.o.id, event: 'committee', round: g.round }); if (!this.o.membersTrain) return; }   // members score, they do not train (002 §III) unless they send reference updates
    let envelope: Uint8Array;
    try {
      envelope = this.trainRound(g.round, g.model, g.hash);
    } catch (e) {
      // a firmware error code (bad model, bad parameter) costs this round, not the board
      this.o.onEvent?.({ device: this.o.id, event: 'train_error', round: g.round, detail: (e as Error).message });
      return;
    }
    this.sent = [];
    this.keep(updateTopic(this.o.task, this.o.id), envelope);
    // PoQ (001 Eq. 6): the party's signed MAE of the model it just sent, bound to the round's parent
    if (this.party) this.keep(reportTopic(this.o.task, this.o.id), this.party.report(g.round, g.block, this.lastModel!, this.o.data.n));
    this.o.onEvent?.({ device: this.o.id, event: 'update', round: g.round });
  }

  /** Trains one round from `model` on the local shard and returns the signed update. */
  trainRound(round: number, model: Uint8Array, baseHash: Uint8Array): Uint8Array {
    this.kernel.load(model);
    const r = this.kernel.train(this.o.data, { ...this.o.train, seed: this.o.train.seed + round });
    // The board's RAM bounds the firmware's linear memory (boards/profiles.ts memoryBytes).
    const used = this.fw.memory.buffer.byteLength;
    if (used > this.o.profile.memoryBytes) throw new FirmwareError(E_TOO_LARGE, 'train', `firmware memory ${used} B exceeds the ${this.o.profile.name} board's ${this.o.profile.memoryBytes} B`);
    let trained = this.kernel.export();
    const metrics: Record<string, number> = { loss_u: Math.round(r.loss * 1e6) };
    if (this.o.dp) {
      if (!this.signer.privatize) throw new Error('this signer cannot apply differential privacy');
      const mine = decodeModel(trained);
      const noisy = privatizeParams(this.signer as Required<UpdateSigner>, decodeModel(model).params, mine.params, this.o.dp);
      trained = encodeModel(mine.header, noisy.params);
      metrics.eps_m = noisy.epsM;
    }
    this.lastModel = trained;
    const fields: UpdateFields = {
      task: this.o.task, round, base: baseHash, n: this.o.data.n, model: trained, ctr: ++this.counter, metrics,
    };
    return this.signer.signUpdate(this.kid, fields);
  }

  /** Marks the board offline (a clean disconnect sends no will) and disconnects; `abrupt`
   *  drops the connection as a crash or power loss would (the broker then sends the will). */
  async close(abrupt = false): Promise<void> {
    if (!abrupt) await this.transport?.publish(presenceTopic(this.o.task, this.o.id), encodePresence({ online: false }), { qos: 1, retain: true }).catch(() => {});
    await this.transport?.close(abrupt);
  }
}

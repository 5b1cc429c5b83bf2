// The device agent: hosts one firmware instance, listens for the gateway's global model,
// trains on the board's local shard inside the firmware and publishes a signed update.
// Local data never leaves the agent; only signed model updates do.
import type { KeyObject } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import { FirmwareInstance, defaultHostIO, type HostIO } from './firmware/instance.js';
import { Kernel, type Dataset, type TrainOptions } from './firmware/kernel.js';
import { decodeGlobal } from '../protocol/announcement.js';
import type { UpdateFields } from '../protocol/update.js';
import { globalTopic, updateTopic } from '../protocol/topics.js';
import { MAX_MODEL_BYTES, decodeModel, encodeModel } from '../protocol/model-blob.js';
import type { BoardProfile } from './profiles.js';

/** Builds the signed update (COSE_Sign1). On real boards this is the firmware's signer. */
export interface UpdateSigner {
  publicKey(): Uint8Array;
  signUpdate(kid: Uint8Array, fields: UpdateFields): Uint8Array;
  /** L1-clips `values` and adds discrete Laplace noise for ε (in firmware); returns ε×1000 spent. */
  privatize?(values: Int32Array, clipL1: number, epsilon: number): { values: Int32Array; epsM: number };
}

/** Local differential privacy of the update (seed paper 001, Eq. 3–5): the round's delta is
 *  clipped to L1 ≤ clipL1 (master units) and noised with discrete Laplace of scale 2·clipL1/ε. */
export interface DpOptions { epsilon: number; clipL1: number }

/** The firmware's DP limits (docs/firmware-crypto.md): 0 < ε ≤ 1000, 1 ≤ clip ≤ 2^30. */
export function checkDpOptions(dp: DpOptions): void {
  if (!(dp.epsilon > 0 && dp.epsilon <= 1000)) throw new RangeError(`DP epsilon must be in (0, 1000], got ${dp.epsilon}`);
  if (!Number.isInteger(dp.clipL1) || dp.clipL1 < 1 || dp.clipL1 > 2 ** 30) throw new RangeError(`DP L1 clip must be an integer in [1, 2^30], got ${dp.clipL1}`);
}

export interface AgentOptions {
  id: string;
  task: string;
  profile: BoardProfile;
  data: Dataset;
  train: Omit<TrainOptions, 'seed'> & { seed: number };
  gatewayKey: KeyObject;
  /** Creates the signer over this board's firmware instance (firmware signing by default). */
  signer: (fw: FirmwareInstance) => UpdateSigner;
  hostIO?: HostIO;
  /** Optional local DP of each update. */
  dp?: DpOptions;
  /** Events for logs and tests. */
  onEvent?: (e: { device: string; event: string; round?: number; detail?: string }) => void;
}

/** One emulated (or real, with a real transport) board. */
export class DeviceAgent {
  readonly fw: FirmwareInstance;
  readonly kernel: Kernel;
  readonly signer: UpdateSigner;
  private client?: MqttClient;
  private lastRound = 0;
  private counter = 0;
  private readonly kid: Uint8Array;

  constructor(private readonly o: AgentOptions) {
    if (o.dp) checkDpOptions(o.dp);
    this.fw = new FirmwareInstance(o.hostIO ?? defaultHostIO, o.profile.firmware);
    this.kernel = new Kernel(this.fw);
    this.signer = o.signer(this.fw);
    this.kid = new TextEncoder().encode(o.id);
  }

  get id(): string { return this.o.id; }
  /** Number of local training samples (the data profile's size). */
  get samples(): number { return this.o.data.n; }
  publicKey(): Uint8Array { return this.signer.publicKey(); }

  /** Connects to the broker and starts following the global model. */
  async connect(brokerUrl: string): Promise<void> {
    this.client = await mqtt.connectAsync(brokerUrl, { clientId: `dev-${this.o.id}`, reconnectPeriod: 500, clean: true });
    this.client.on('message', (_topic, payload) => this.onGlobal(payload));
    this.client.on('error', (e) => this.o.onEvent?.({ device: this.o.id, event: 'transport_error', detail: e.message }));
    await this.client.subscribeAsync(globalTopic(this.o.task), { qos: 1 });
  }

  /** Handler for fl/<task>/global: verify, train, sign, publish. Bad messages are logged and dropped. */
  private onGlobal(payload: Buffer): void {
    let g;
    try {
      g = decodeGlobal(new Uint8Array(payload), this.o.gatewayKey, MAX_MODEL_BYTES + 4096);
    } catch (e) {
      this.o.onEvent?.({ device: this.o.id, event: 'reject_global', detail: (e as Error).message });
      return;
    }
    if (g.task !== this.o.task || g.done || g.round <= this.lastRound) return;
    this.lastRound = g.round;
    let envelope: Uint8Array;
    try {
      envelope = this.trainRound(g.round, g.model, g.hash);
    } catch (e) {
      // a firmware error code (bad model, bad parameter) costs this round, not the board
      this.o.onEvent?.({ device: this.o.id, event: 'train_error', round: g.round, detail: (e as Error).message });
      return;
    }
    this.client?.publish(updateTopic(this.o.task, this.o.id), Buffer.from(envelope), { qos: 1 });
    this.o.onEvent?.({ device: this.o.id, event: 'update', round: g.round });
  }

  /** Trains one round from `model` on the local shard and returns the signed update. */
  trainRound(round: number, model: Uint8Array, baseHash: Uint8Array): Uint8Array {
    this.kernel.load(model);
    const r = this.kernel.train(this.o.data, { ...this.o.train, seed: this.o.train.seed + round });
    let trained = this.kernel.export();
    const metrics: Record<string, number> = { loss_u: Math.round(r.loss * 1e6) };
    if (this.o.dp) {
      if (!this.signer.privatize) throw new Error('this signer cannot apply differential privacy');
      const base = decodeModel(model).params;
      const mine = decodeModel(trained);
      const noisy = this.signer.privatize(mine.params.map((x, i) => x - base[i]), this.o.dp.clipL1, this.o.dp.epsilon);
      const sum = new Int32Array(base.length); // saturate in int32; encodeModel clamps to legal ranges
      for (let i = 0; i < base.length; i++) sum[i] = Math.max(-0x80000000, Math.min(0x7fffffff, base[i] + noisy.values[i]));
      trained = encodeModel(mine.header, sum);
      metrics.eps_m = noisy.epsM;
    }
    const fields: UpdateFields = {
      task: this.o.task, round, base: baseHash, n: this.o.data.n, model: trained, ctr: ++this.counter, metrics,
    };
    return this.signer.signUpdate(this.kid, fields);
  }

  async close(): Promise<void> {
    await this.client?.endAsync();
  }
}

// The device agent: hosts one firmware instance, listens for the gateway's global model,
// trains on the board's local shard inside the firmware and publishes a signed update.
// Local data never leaves the agent; only signed model updates do.
import type { KeyObject } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import { FirmwareInstance, defaultHostIO, type HostIO } from './firmware/instance.js';
import { Kernel, type Dataset, type TrainOptions } from './firmware/kernel.js';
import { decodeGlobal } from '../gateway/wire/global.js';
import type { UpdateFields } from '../gateway/wire/update.js';
import { globalTopic, updateTopic } from '../gateway/topics.js';
import { MAX_MODEL_BYTES } from './firmware/model-blob.js';
import type { BoardProfile } from './profiles.js';

/** Builds the signed update (COSE_Sign1). On real boards this is the firmware's signer. */
export interface UpdateSigner {
  publicKey(): Uint8Array;
  signUpdate(kid: Uint8Array, fields: UpdateFields): Uint8Array;
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
    const envelope = this.trainRound(g.round, g.model, g.hash);
    this.client?.publish(updateTopic(this.o.task, this.o.id), Buffer.from(envelope), { qos: 1 });
    this.o.onEvent?.({ device: this.o.id, event: 'update', round: g.round });
  }

  /** Trains one round from `model` on the local shard and returns the signed update. */
  trainRound(round: number, model: Uint8Array, baseHash: Uint8Array): Uint8Array {
    this.kernel.load(model);
    const r = this.kernel.train(this.o.data, { ...this.o.train, seed: this.o.train.seed + round });
    const fields: UpdateFields = {
      task: this.o.task, round, base: baseHash, n: this.o.data.n, model: this.kernel.export(),
      ctr: ++this.counter, metrics: { loss_u: Math.round(r.loss * 1e6) },
    };
    return this.signer.signUpdate(this.kid, fields);
  }

  async close(): Promise<void> {
    await this.client?.endAsync();
  }
}

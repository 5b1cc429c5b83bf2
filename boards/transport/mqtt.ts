// The Transport port over real MQTT (MQTT.js): one client per actor, automatic reconnection
// (every 500 ms by default) with subscriptions restored on reconnect, QoS 1 by default.
import mqtt, { type MqttClient } from 'mqtt';
import type { MessageHandler, PublishOptions, Transport } from '../../protocol/transport.js';

export interface MqttTransportOptions {
  reconnectPeriodMs?: number; connectTimeoutMs?: number;
  /** Published by the broker if this client drops without a clean disconnect (presence). */
  will?: { topic: string; payload: Uint8Array; retain?: boolean };
  /** Credentials for a secured broker (docs/protocol.md §Broker security): the username is the
   *  registered id, and `password()` is called on every (re)connect, so a signed token
   *  (protocol/broker-token.ts) is always fresh. With credentials the client id is used as
   *  given (the registered id), not made unique. */
  auth?: { username: string; password: () => string };
  /** CA certificate (PEM) to verify a TLS broker (mqtts://) against. */
  ca?: string | Buffer;
}

/** A Transport over an MQTT 3.1.1/5 broker.
 *  @example const t = await MqttTransport.connect('mqtt://127.0.0.1:1883', 'gw-0') */
export class MqttTransport implements Transport {
  private handler?: MessageHandler;
  private status?: (e: { up: boolean; detail?: string }) => void;
  private readonly filters = new Set<string>();

  private constructor(private readonly client: MqttClient) {
    client.on('message', (topic, payload) => this.handler?.(topic, new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength)));
    client.on('connect', () => {
      // clean sessions forget subscriptions: restore ours on every reconnect, then say we are up
      if (this.filters.size) client.subscribe([...this.filters], { qos: 1 }, () => this.status?.({ up: true }));
      else this.status?.({ up: true });
    });
    // Nagle off on every (re)connected socket: small packets go out at once (no 40 ms stalls).
    const noDelay = () => (client.stream as { setNoDelay?: (on: boolean) => void } | undefined)?.setNoDelay?.(true);
    noDelay();
    client.on('connect', noDelay);
    client.on('offline', () => this.status?.({ up: false, detail: 'offline' }));
    client.on('error', (e) => this.status?.({ up: false, detail: e.message }));
  }

  /** Connects (rejects if the first connection fails). */
  static async connect(url: string, clientId: string, o: MqttTransportOptions = {}): Promise<MqttTransport> {
    const client = await mqtt.connectAsync(url, {
      clientId: o.auth ? clientId : `${clientId}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`, clean: true,
      ...(o.auth ? { username: o.auth.username, password: o.auth.password() } : {}),
      ...(o.ca ? { ca: o.ca, rejectUnauthorized: true } : {}),
      reconnectPeriod: o.reconnectPeriodMs ?? 500, connectTimeout: o.connectTimeoutMs ?? 10_000, resubscribe: false,
      ...(o.will ? { will: { topic: o.will.topic, payload: Buffer.from(o.will.payload), qos: 1 as const, retain: o.will.retain ?? true } } : {}),
    });
    // a fresh token for every reconnect (MQTT.js re-sends options.password)
    if (o.auth) client.on('reconnect', () => { client.options.password = o.auth!.password() as never; });
    return new MqttTransport(client);
  }

  onMessage(h: MessageHandler): void { this.handler = h; }
  onStatus(h: (e: { up: boolean; detail?: string }) => void): void { this.status = h; }

  async subscribe(filters: string[]): Promise<void> {
    for (const f of filters) this.filters.add(f);
    await this.client.subscribeAsync(filters, { qos: 1 });
  }

  async publish(topic: string, payload: Uint8Array, o: PublishOptions = {}): Promise<void> {
    await this.client.publishAsync(topic, Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength), { qos: o.qos ?? 1, retain: o.retain ?? false });
  }

  async close(abrupt = false): Promise<void> {
    if (abrupt) { this.client.end(true); return; }
    await this.client.endAsync();
  }
}

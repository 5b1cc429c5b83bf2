// The transport port (STYLE §4): publish/subscribe with MQTT's semantics (topic filters with
// `+` and `#`, retained messages, QoS 0/1, per-publisher order). Boards, gateways and the
// simulator talk through it; boards/transport/mqtt.ts speaks real MQTT, protocol/memory-bus.ts
// is the in-memory bus of the fast tests. Nothing here opens a socket.

/** Delivery of one message. `payload` is untrusted until a decoder has checked it. */
export type MessageHandler = (topic: string, payload: Uint8Array) => void;

export interface PublishOptions { qos?: 0 | 1; retain?: boolean }

/** A connected publish/subscribe client.
 *  @example const t = await MqttTransport.connect(url, 'gw-0'); t.onMessage(h); await t.subscribe([globalTopic(task)]) */
export interface Transport {
  /** Sets the one handler that receives every message of this client's subscriptions. */
  onMessage(handler: MessageHandler): void;
  /** Subscribes (kept across reconnects). */
  subscribe(filters: string[]): Promise<void>;
  /** Publishes; resolves when the transport took the message (QoS 1: when the broker acked). */
  publish(topic: string, payload: Uint8Array, o?: PublishOptions): Promise<void>;
  /** Reports connection changes (true = up) and transport errors; optional. */
  onStatus?(handler: (e: { up: boolean; detail?: string }) => void): void;
  /** Disconnects cleanly; `abrupt` drops the connection as a crash would. */
  close(abrupt?: boolean): Promise<void>;
}

/** True when `topic` matches an MQTT filter (MQTT 3.1.1 §4.7: `+` one level, `#` the rest). */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/'), t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length || (f[i] !== '+' && f[i] !== t[i])) return false;
  }
  return f.length === t.length;
}

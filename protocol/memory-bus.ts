// An in-memory publish/subscribe bus with MQTT's semantics, for fast tests and in-process
// runs (cf. aedes' duplex pairs in its tests): filters with + and #, retained messages
// (an empty retained payload clears), per-publisher order, asynchronous delivery. No sockets.
import { topicMatches, type MessageHandler, type PublishOptions, type Transport } from './transport.js';

interface Client { id: string; filters: string[]; handler?: MessageHandler; up: boolean }

/** The bus; `connect` gives one client's Transport.
 *  @example const bus = new MemoryBus(); const a = bus.connect('a'); const b = bus.connect('b') */
export class MemoryBus {
  private readonly clients = new Set<Client>();
  private readonly retained = new Map<string, Uint8Array>();
  private queue: Promise<void> = Promise.resolve();
  /** Messages and payload bytes published on the bus. */
  readonly stats = { messages: 0, bytes: 0 };
  /** When set, a delivery for which it returns true is dropped (fault injection: a cut link). */
  drop?: (topic: string, payload: Uint8Array, from: string, to: string) => boolean;

  connect(id: string): Transport {
    const c: Client = { id, filters: [], up: true };
    this.clients.add(c);
    const bus = this;
    return {
      onMessage(h) { c.handler = h; },
      async subscribe(filters) {
        c.filters.push(...filters);
        for (const [topic, payload] of bus.retained) if (filters.some((f) => topicMatches(f, topic))) bus.deliver(c, topic, payload);
      },
      async publish(topic, payload, o: PublishOptions = {}) {
        if (!c.up) throw new Error(`${id}: transport closed`);
        bus.stats.messages++; bus.stats.bytes += payload.length;
        if (o.retain) { if (payload.length) bus.retained.set(topic, payload); else bus.retained.delete(topic); }
        for (const other of bus.clients) {
          if (other.up && other.filters.some((f) => topicMatches(f, topic)) && !bus.drop?.(topic, payload, id, other.id)) bus.deliver(other, topic, payload);
        }
      },
      async close() { c.up = false; bus.clients.delete(c); },
    };
  }

  /** Deliveries happen in publish order, each after the publisher's turn (as over a socket). */
  private deliver(c: Client, topic: string, payload: Uint8Array): void {
    const copy = payload.slice();
    this.queue = this.queue.then(() => { if (c.up) c.handler?.(topic, copy); }).catch(() => {});
  }

  /** Resolves once every queued delivery ran. */
  idle(): Promise<void> { return this.queue; }
}

// Authentication and authorisation hooks for the embedded aedes broker (docs/protocol.md
// §Broker security). A client connects with username = its registered id, client id = that id
// (or `<id>~<suffix>` for a second connection of the same actor, e.g. a gateway's hello marker)
// and password = a token signed with its registered key (protocol/broker-token.ts). A client id
// already connected is refused instead of taken over (MQTT 3.1.1 §3.1.4 lets the newcomer win;
// here an id is only ever used by its owner, so a second connection is a fault or an attack).
// Publishes and subscriptions outside acl.ts are refused and the client is disconnected.
import type { KeyObject } from 'node:crypto';
import { checkToken } from '../../protocol/broker-token.js';
import { publicKeyObject } from '../../protocol/cose.js';
import { escapeText } from '../../protocol/log-text.js';
import { mayPublish, maySubscribe, type Identity, type Role } from './acl.js';
import type { FrameLimits, LimitedStream } from './frame-limit.js';

/** Who may connect: the chain's gateways and registered devices. */
export interface BrokerSecurity {
  task: string;
  /** Genesis hash the tokens must name. */
  chain: Uint8Array;
  /** The raw Ed25519 key and role of a registered id, or undefined. */
  client(id: string): { key: Uint8Array; role: Role } | undefined;
  /** Hears every refusal (connect, publish, subscribe), with a stable reason. */
  /** Per-connection limits by role, applied once a client is authenticated (before that, a
   *  connection may send only a small CONNECT: `preAuth`). */
  limits?: Partial<Record<Role | 'preAuth', FrameLimits>>;
  onRefused?(e: { client: string; what: 'connect' | 'publish' | 'subscribe'; reason: string; topic?: string }): void;
  now?: () => number;
}

type Cb = (err: (Error & { returnCode?: number }) | null, ok?: boolean) => void;
interface AedesClient { id: string; connected?: boolean; conn?: Partial<LimitedStream> }
interface AedesLike { clients: Record<string, AedesClient | undefined> }

const refusal = (code: number, message: string) => Object.assign(new Error(message), { returnCode: code });

/** The aedes `authenticate`, `authorizePublish` and `authorizeSubscribe` hooks for `sec`. */
export function secureHooks(sec: BrokerSecurity, broker: () => AedesLike) {
  const who = new WeakMap<object, Identity>();
  const keys = (id: string): KeyObject | undefined => { const c = sec.client(id); return c && publicKeyObject(c.key); };
  const refuse = (client: string, what: 'connect' | 'publish' | 'subscribe', reason: string, topic?: string) =>
    sec.onRefused?.({ client: escapeText(client, 80), what, reason, ...(topic ? { topic: escapeText(topic, 200) } : {}) });
  return {
    authenticate(client: AedesClient, username: string | undefined, password: Buffer | undefined, cb: Cb): void {
      const id = username ?? '';
      const reg = sec.client(id);
      // MQTT 3.1.1 §3.2.2.3 return codes: 2 identifier rejected, 4 bad username or password, 5 not authorized
      if (!reg) { refuse(client.id, 'connect', 'unknown_client'); return cb(refusal(5, 'not authorized')); }
      if (client.id !== id && !client.id.startsWith(`${id}~`)) { refuse(client.id, 'connect', 'client_id_mismatch'); return cb(refusal(2, 'client id must be the registered id')); }
      const bad = checkToken(password?.toString('utf8') ?? '', id, sec.chain, keys, sec.now?.());
      if (bad) { refuse(client.id, 'connect', bad); return cb(refusal(4, `bad credentials: ${bad}`)); }
      const prior = broker().clients[client.id];
      if (prior && prior !== client && prior.connected !== false) { refuse(client.id, 'connect', 'takeover_refused'); return cb(refusal(2, 'client id already connected')); }
      who.set(client, { id, role: reg.role });
      const l = sec.limits?.[reg.role];
      if (l && client.conn && client.conn.limits) client.conn.limits = l;
      cb(null, true);
    },
    authorizePublish(client: AedesClient | null, packet: { topic: string }, cb: (err: Error | null) => void): void {
      const w = client && who.get(client);
      if (!w || !mayPublish(sec.task, w, packet.topic)) { refuse(client?.id ?? '(will)', 'publish', 'acl', packet.topic); return cb(new Error('publish not authorized')); }
      cb(null);
    },
    authorizeSubscribe(client: AedesClient, sub: { topic: string; qos: number }, cb: (err: Error | null, sub?: unknown) => void): void {
      const w = who.get(client);
      if (!w || !maySubscribe(sec.task, w, sub.topic)) { refuse(client.id, 'subscribe', 'acl', sub.topic); return cb(new Error('subscribe not authorized')); }
      cb(null, sub);
    },
  };
}

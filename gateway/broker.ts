// Embedded MQTT broker (aedes) on a loopback port: the default transport of the demo and tests.
// With `security` it authenticates every client by a token signed with its registered key,
// enforces the topic ACLs (gateway/broker/secure.ts, acl.ts), caps packet size and publish
// rate per connection (gateway/broker/frame-limit.ts), and with `tls` speaks MQTT over TLS.
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { Aedes } from 'aedes';
import { secureHooks, type BrokerSecurity } from './broker/secure.js';
import { limitFrames, type FrameLimits } from './broker/frame-limit.js';
import { MAX_UPDATE_BYTES, MAX_CLUSTER_MESSAGE } from '../protocol/limits.js';

export type { BrokerSecurity };

/** A running embedded broker; `url` is mqtt://127.0.0.1:<port> (mqtts:// with TLS). */
export interface EmbeddedBroker { url: string; port: number; close(): Promise<void> }

/** Default per-connection limits by role (AWS IoT caps 128 KB payloads and 100 publishes/s per
 *  connection). Before CONNECT is authenticated: 8 KiB (credentials and the presence will).
 *  A device: one update plus MQTT framing, 20 publishes/s in bursts of 50 (a round needs about
 *  five). A gateway: cluster messages (proposals carry blocks), 5,000/s (it acks every update). */
export const DEFAULT_FRAME_LIMITS: Record<'preAuth' | 'device' | 'gateway', FrameLimits> = {
  preAuth: { maxPacketBytes: 8 * 1024, rate: 10, burst: 10 },
  device: { maxPacketBytes: MAX_UPDATE_BYTES + 1024, rate: 20, burst: 50 },
  gateway: { maxPacketBytes: MAX_CLUSTER_MESSAGE + 1024, rate: 5_000, burst: 10_000 },
};

export interface BrokerOptions {
  port?: number;
  security?: BrokerSecurity;
  /** Per-connection packet size and publish rate by role (default DEFAULT_FRAME_LIMITS when
   *  secured; none otherwise). */
  limits?: Partial<Record<'preAuth' | 'device' | 'gateway', FrameLimits>>;
  /** PEM server key and certificate: the broker listens for MQTT over TLS. */
  tls?: { key: string | Buffer; cert: string | Buffer };
}

/** Starts aedes on 127.0.0.1 and a free port (or `port`). Without `security` anyone may connect
 *  and publish anything (payload limits are then enforced by the gateway only). */
export async function startEmbeddedBroker(opts: BrokerOptions = {}): Promise<EmbeddedBroker> {
  let aedes: Aedes;
  const limits = opts.security || opts.limits ? { ...DEFAULT_FRAME_LIMITS, ...opts.limits } : undefined;
  const hooks = opts.security ? secureHooks({ limits, ...opts.security }, () => aedes as never) : {};
  aedes = await Aedes.createBroker({ maxClientsIdLength: 128, ...hooks } as any);
  const handle = (socket: Socket) => {
    socket.on('error', () => {});
    // small MQTT packets must not wait on Nagle's algorithm against delayed ACKs (≈ 40 ms per
    // exchange on Linux loopback — the consensus bench's 100 ms round floor)
    socket.setNoDelay(true);
    const cut = (why: string) => opts.security?.onRefused?.({ client: `${socket.remoteAddress}:${socket.remotePort}`, what: 'connect', reason: 'frame_limit', topic: why });
    aedes.handle((limits ? limitFrames(socket, opts.security ? limits.preAuth : limits.device, cut) : socket) as any);
  };
  const server: Server = opts.tls ? createTlsServer({ key: opts.tls.key, cert: opts.tls.cert }, handle) : createServer(handle);
  await new Promise<void>((res, rej) => { server.once('error', rej); server.listen(opts.port ?? 0, '127.0.0.1', () => res()); });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${opts.tls ? 'mqtts' : 'mqtt'}://127.0.0.1:${port}`,
    port,
    close: () => new Promise<void>((res) => {
      aedes.close(() => server.close(() => res()));
    }),
  };
}

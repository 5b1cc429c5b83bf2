// Embedded MQTT broker (aedes) on a loopback port: the default transport of the demo and tests.
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Aedes } from 'aedes';

/** A running embedded broker; `url` is mqtt://127.0.0.1:<port>. */
export interface EmbeddedBroker { url: string; port: number; close(): Promise<void> }

/** Starts aedes on 127.0.0.1 and a free port (or `port`). Payload limits are enforced by the gateway. */
export async function startEmbeddedBroker(opts: { port?: number } = {}): Promise<EmbeddedBroker> {
  const aedes = await Aedes.createBroker({ maxClientsIdLength: 64 } as any);
  // noDelay: small MQTT packets must not wait on Nagle's algorithm against delayed ACKs
  // (≈ 40 ms per exchange on Linux loopback — the consensus bench's 100 ms round floor).
  const server: Server = createServer({ noDelay: true }, (socket) => aedes.handle(socket as any));
  await new Promise<void>((res, rej) => { server.once('error', rej); server.listen(opts.port ?? 0, '127.0.0.1', () => res()); });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    close: () => new Promise<void>((res) => {
      aedes.close(() => server.close(() => res()));
    }),
  };
}

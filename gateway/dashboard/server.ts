// The gateway's read-only web dashboard (README "Dashboard"): a loopback HTTP server with the
// page, a JSON API over the ledger and the round summaries, and a server-sent-event stream of
// rounds as they finalize. Server-sent events (HTML Living Standard §9.2) rather than a WebSocket:
// the stream only ever flows server → page, it is plain HTTP that the request limits below
// already cover, the browser reconnects by itself, and Node needs no extra library for it.
// Read-only by construction: only GET and HEAD are answered, and no route writes anything.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { fromHex } from '../../protocol/bytes.js';
import type { Ledger } from '../ledger/index.js';
import type { RoundSummary } from '../round/summary.js';
import { DASHBOARD_LIMITS, RateLimiter, type DashboardLimits } from './limits.js';
import { blockRows, blockView, deviceRows, proofView } from './views.js';
import { inferenceRoute, type InferenceOptions } from './inference.js';
import type { ClusterView } from '../finality/view.js';

/** Source folder of the page (served as is; tsc does not copy it into build/). */
const PAGE_DIR = resolve(dirname(new URL(import.meta.url).pathname), '..', '..', '..', 'gateway', 'dashboard', 'page');
const ASSETS: Record<string, [string, string]> = {
  '/': ['index.html', 'text/html; charset=utf-8'],
  '/dashboard.js': ['dashboard.js', 'text/javascript; charset=utf-8'],
  '/dashboard.css': ['dashboard.css', 'text/css; charset=utf-8'],
};
/** The page may load only its own scripts and styles and talk only to this server. With
 *  in-browser inference, tfjs-tflite's loader needs eval and WebAssembly compilation; inline
 *  scripts stay forbidden either way, and the page never turns ledger text into markup. */
const cspFor = (inference: boolean) => CSP.replace("script-src 'self'", inference ? "script-src 'self' 'unsafe-eval' 'wasm-unsafe-eval'; worker-src 'self' blob:" : "script-src 'self'");
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
const MAX_ROUNDS_KEPT = 10_000;

export interface DashboardOptions {
  ledger: Ledger;
  /** Bind address (default 127.0.0.1) and port (default 0: any free port). */
  host?: string;
  port?: number;
  /** The deployment's device ids (devices table) and who is offline now (presence). */
  devices?: readonly string[];
  offline?: () => ReadonlySet<string>;
  limits?: Partial<DashboardLimits>;
  /** In-browser inference of the current global model (off without it). */
  inference?: InferenceOptions;
  /** A BFT cluster's heads and finality votes as this gateway sees them (gateway/finality/view.ts). */
  cluster?: () => Promise<ClusterView>;
}

export interface Dashboard {
  readonly url: string;
  /** Publishes a finished round to the page (and keeps it for pages that connect later). */
  round(s: RoundSummary): void;
  /** Requests answered so far, by status code (tests and the fuzz read it). */
  readonly counts: Map<number, number>;
  close(): Promise<void>;
}

class HttpError extends Error { constructor(readonly code: number, msg: string) { super(msg); } }

/** Starts the dashboard server. Rejects if the port is taken. */
export async function startDashboard(o: DashboardOptions): Promise<Dashboard> {
  const L = { ...DASHBOARD_LIMITS, ...o.limits };
  const host = o.host ?? '127.0.0.1';
  const limiter = new RateLimiter(L.ratePerSec, L.burst);
  const rounds: RoundSummary[] = [];
  const streams = new Set<ServerResponse>();
  const counts = new Map<number, number>();
  const assets = new Map<string, Buffer>();
  for (const [route, [file]] of Object.entries(ASSETS)) assets.set(route, await readFile(join(PAGE_DIR, file)));
  let port = 0;

  const csp = cspFor(!!o.inference);
  const headers = (type: string) => ({ 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'content-security-policy': csp, 'referrer-policy': 'no-referrer' });
  const send = (req: IncomingMessage, res: ServerResponse, code: number, body: string | Uint8Array, type = 'application/json; charset=utf-8') => {
    counts.set(code, (counts.get(code) ?? 0) + 1);
    if (res.headersSent) { res.destroy(); return; }
    res.writeHead(code, { ...headers(type), 'content-length': Buffer.byteLength(body) });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  const json = (req: IncomingMessage, res: ServerResponse, v: unknown) => send(req, res, 200, JSON.stringify(v));
  const sse = (res: ServerResponse, s: RoundSummary) => res.write(`event: round\nid: ${s.round}\ndata: ${JSON.stringify(s)}\n\n`);

  /** Limits checked before routing: method, body, target length, Host (DNS rebinding), rate. */
  function admit(req: IncomingMessage): URL {
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, 'the dashboard is read-only');
    if ((req.headers['content-length'] && req.headers['content-length'] !== '0') || req.headers['transfer-encoding']) throw new HttpError(413, 'requests carry no body');
    const target = req.url ?? '/';
    if (target.length > L.maxUrl) throw new HttpError(414, 'request target too long');
    const hostHeader = req.headers.host ?? '';
    if (![`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, `${host}:${port}`].includes(hostHeader)) throw new HttpError(421, 'unexpected Host header');
    if (!limiter.take(req.socket.remoteAddress ?? '?')) throw new HttpError(429, 'too many requests');
    if (!target.startsWith('/')) throw new HttpError(400, 'bad request target');
    return new URL(target, 'http://dashboard');
  }

  const int = (s: string | null, name: string, max: number): number | undefined => {
    if (s === null) return undefined;
    if (!/^\d{1,10}$/.test(s) || Number(s) > max) throw new HttpError(400, `${name} must be an integer in [0, ${max}]`);
    return Number(s);
  };

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = admit(req);
    const path = url.pathname;
    const asset = assets.get(path);
    if (asset) return send(req, res, 200, asset, ASSETS[path][1]);
    const inf = await inferenceRoute(path, o.inference);
    if (inf) return send(req, res, inf.code, inf.body, inf.type);
    if (path === '/api/head') return json(req, res, { chainId: o.ledger.chainId, height: o.ledger.height, hash: Buffer.from(o.ledger.headHash()).toString('hex') });
    if (path === '/api/rounds') return json(req, res, rounds);
    if (path === '/api/cluster') return json(req, res, o.cluster ? { enabled: true, ...(await o.cluster()) } : { enabled: false });
    if (path === '/api/blocks') return json(req, res, await blockRows(o.ledger, int(url.searchParams.get('before'), 'before', 2 ** 32), int(url.searchParams.get('count'), 'count', 1000) ?? 50));
    if (path === '/api/devices') return json(req, res, deviceRows(o.ledger, o.devices ?? [], o.offline?.(), rounds));
    let m = /^\/api\/block\/(\d{1,10})$/.exec(path);
    if (m) {
      const h = Number(m[1]);
      if (h > o.ledger.height) throw new HttpError(404, `no block ${h}`);
      return json(req, res, blockView(await o.ledger.block(h)));
    }
    m = /^\/api\/proof\/([0-9a-f]{64})$/.exec(path);
    if (m) return json(req, res, await proofView(o.ledger, fromHex(m[1])));
    if (path === '/api/events') {
      if (streams.size >= L.maxStreams) throw new HttpError(503, 'too many event streams');
      counts.set(200, (counts.get(200) ?? 0) + 1);
      res.writeHead(200, { ...headers('text/event-stream'), connection: 'keep-alive' });
      if (req.method === 'HEAD') { res.end(); return; }
      res.write('retry: 1000\n\n');
      for (const s of rounds) sse(res, s);
      streams.add(res);
      req.on('close', () => streams.delete(res));
      return;
    }
    throw new HttpError(404, 'not found');
  }

  const server = createServer({ maxHeaderSize: L.maxHeaderBytes, headersTimeout: L.headersTimeoutMs, requestTimeout: L.headersTimeoutMs * 2, keepAliveTimeout: 2_000 }, (req, res) => {
    route(req, res).catch((e: unknown) => {
      const code = e instanceof HttpError ? e.code : (e as { reason?: string })?.reason === 'not_found' ? 404 : (e as { reason?: string })?.reason === 'pruned' ? 410 : 500;
      send(req, res, code, JSON.stringify({ error: code === 500 ? 'internal error' : (e as Error).message }));
    });
  });
  server.maxConnections = L.maxConnections;
  // Malformed HTTP, oversized headers, slow clients: answer 400 if the socket still takes it, then drop it.
  server.on('clientError', (e: NodeJS.ErrnoException, socket) => {
    const big = e.code === 'HPE_HEADER_OVERFLOW';
    counts.set(big ? 431 : 400, (counts.get(big ? 431 : 400) ?? 0) + 1);
    if (socket.writable) socket.end(`HTTP/1.1 ${big ? '431 Request Header Fields Too Large' : '400 Bad Request'}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
    socket.destroy();
  });
  await new Promise<void>((ok, fail) => { server.once('error', fail); server.listen(o.port ?? 0, host, () => { server.off('error', fail); ok(); }); });
  port = (server.address() as AddressInfo).port;
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${port}/`,
    counts,
    round(s) {
      rounds.push(s);
      if (rounds.length > MAX_ROUNDS_KEPT) rounds.shift();
      for (const r of streams) sse(r, s);
    },
    async close() {
      for (const r of streams) r.end();
      streams.clear();
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}

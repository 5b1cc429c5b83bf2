// Headless-Chromium harness for @tensorflow/tfjs-tflite (TFLite compiled to WebAssembly; it
// runs only in a browser). A loopback HTTP server serves the page, the tfjs files from
// node_modules and the test's data; playwright-core drives the system's Chromium (Debian
// package `chromium`, nothing downloaded). Every request the page makes is logged, and any
// that is not for this server is aborted, so the test can prove the page stayed on loopback.
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve, sep } from 'node:path';
import { execFileSync } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Source folder of the harness (the page and its package.json). */
const HERE = resolve(dirname(new URL(import.meta.url).pathname), '..', '..', '..', 'test', 'browser');
const requireHere = createRequire(join(HERE, 'package.json'));
/** URL prefix → package folder and the subfolders that may be served from it. */
const PACKAGES: Record<string, { dir: string; allow: string[] }> = Object.fromEntries(
  [['tfjs-core', '@tensorflow/tfjs-core', ['dist']], ['tfjs-backend-cpu', '@tensorflow/tfjs-backend-cpu', ['dist']], ['tfjs-tflite', '@tensorflow/tfjs-tflite', ['dist', 'wasm']]]
    .map(([k, pkg, allow]) => [k, { dir: dirname(requireHere.resolve(`${pkg}/package.json`)), allow: allow as string[] }]),
);
const TYPES: Record<string, string> = { '.js': 'text/javascript', '.html': 'text/html', '.wasm': 'application/wasm', '.map': 'application/json' };
const MAX_DATA_BYTES = 64 * 1024 * 1024;

/** The Chromium executable: $CHROMIUM_PATH, Debian's binary, or `chromium` on PATH; undefined if none. */
export function findChromium(): string | undefined {
  const env = process.env.CHROMIUM_PATH;
  if (env) return existsSync(env) ? env : undefined;
  for (const p of ['/usr/lib/chromium/chromium', '/usr/bin/chromium', '/usr/bin/chromium-browser']) if (existsSync(p)) return p;
  try { return execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim() || undefined; } catch { return undefined; }
}

/** The Chromium to drive, or undefined after skipping `t` loudly; under CI=true a missing one fails. */
export function chromiumOrSkip(t: { skip(msg: string): void }, what: string): string | undefined {
  const exe = findChromium();
  if (exe) return exe;
  if (process.env.CI === 'true') throw new Error('Chromium (Debian package chromium) is required under CI=true');
  process.stderr.write(`\n*** SKIPPED: Chromium not installed (apt-get install chromium); ${what} did not run ***\n\n`);
  t.skip('chromium not installed');
  return undefined;
}

/** Result of one model run in the page. */
/** `kernels`: the profiler's node types, i.e. which kernel ran (FULLY_CONNECTED = TFLite's builtin,
 *  TfLiteXNNPackDelegate = XNNPACK). */
export interface TfliteRun { outputs: Int8Array; inputShape: string; outputShape: string; types: string[]; kernels: string[] }

/** tfjs-tflite ships TFLite compiled twice: with wasm SIMD128 and without. */
export type WasmBuild = 'simd' | 'baseline';

export interface Harness {
  /** Base URL of the loopback server. */
  readonly origin: string;
  /** Every URL the page requested (including aborted ones), in order. */
  readonly requests: string[];
  /** Which TFLite WebAssembly build the page loaded (e.g. tflite_web_api_cc_simd.wasm). */
  wasmFiles(): string[];
  /** Runs n int8 samples (n × inputs) through a .tflite model in tfjs-tflite, on its SIMD
   *  WebAssembly build (default) or its baseline build (a second page). */
  run(model: Uint8Array, inputs: Int8Array, n: number, build?: WasmBuild): Promise<TfliteRun>;
  close(): Promise<void>;
}

/** Headless Chromium with its own background traffic (updates, sync) turned off. */
export function launchChromium(exe: string): Promise<Browser> {
  return chromium.launch({ executablePath: exe, headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
}

/** A new page whose every request URL is appended to `requests`, and any request not for
 *  `origin` (or blob:/data:) is aborted, so a test can prove the page stayed on loopback. */
export async function loggedPage(browser: Browser, origin: string, requests: string[], timeoutMs = 60_000): Promise<Page> {
  const page = await browser.newPage();
  page.setDefaultTimeout(timeoutMs);
  page.on('request', (r) => requests.push(r.url()));
  await page.route('**/*', (route) => {
    const u = route.request().url();
    return u.startsWith(origin + '/') || u.startsWith('blob:') || u.startsWith('data:') ? route.continue() : route.abort('blockedbyclient');
  });
  return page;
}

function ext(p: string): string { const i = p.lastIndexOf('.'); return i < 0 ? '' : p.slice(i); }

/** Starts the server and the browser and opens the page. Throws if Chromium is missing.
 *  @example const h = await startHarness(); const r = await h.run(tflite, x, 2000); await h.close(); */
export async function startHarness(o: { chromium?: string; timeoutMs?: number } = {}): Promise<Harness> {
  const exe = o.chromium ?? findChromium();
  if (!exe) throw new Error('Chromium not found (install the Debian package `chromium` or set CHROMIUM_PATH)');
  const data = new Map<string, Uint8Array>();
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const send = (code: number, body: Uint8Array | string, type = 'text/plain') => {
      res.writeHead(code, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    try {
      const path = decodeURIComponent(url.pathname);
      if (path === '/') return send(200, await readFile(join(HERE, 'page.html')), TYPES['.html']);
      if (path === '/page.js') return send(200, await readFile(join(HERE, 'page.js')), TYPES['.js']);
      if (path.startsWith('/data/')) {
        const d = data.get(path.slice(6));
        return d ? send(200, d, 'application/octet-stream') : send(404, 'no such data');
      }
      // the baseline (non-SIMD) TFLite build under the name the loader asks for on a SIMD browser
      const base = /^\/pkg\/tfjs-tflite\/wasm-baseline\/([A-Za-z0-9_.]+)$/.exec(path);
      if (base) {
        const file = join(PACKAGES['tfjs-tflite'].dir, 'wasm', base[1].replace(/_simd\.js$/, '.js'));
        return existsSync(file) ? send(200, await readFile(file), TYPES[ext(file)] ?? 'application/octet-stream') : send(404, 'not found');
      }
      const m = /^\/pkg\/([^/]+)\/(.+)$/.exec(path);
      const pkg = m && PACKAGES[m[1]];
      if (pkg && m) {
        const file = resolve(pkg.dir, m[2]);
        if (pkg.allow.some((a) => file.startsWith(join(pkg.dir, a) + sep)) && existsSync(file)) return send(200, await readFile(file), TYPES[ext(file)] ?? 'application/octet-stream');
      }
      send(404, 'not found');
    } catch (e) {
      send(500, String(e));
    }
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const requests: string[] = [];
  let browser: Browser | undefined;
  const pages = new Map<WasmBuild, Page>();
  const openPage = async (build: WasmBuild): Promise<Page> => {
    const page = await loggedPage(browser!, origin, requests, o.timeoutMs ?? 60_000);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${origin}/?wasm=${build}`);
    await page.waitForFunction(() => (window as any).harnessReady === true).catch(() => {
      throw new Error(`harness page did not load: ${errors.join('; ') || 'timeout'}`);
    });
    pages.set(build, page);
    return page;
  };
  try {
    browser = await launchChromium(exe);
    await openPage('simd');
  } catch (e) {
    await browser?.close().catch(() => {});
    server.close();
    throw e;
  }
  let seq = 0;
  return {
    origin, requests,
    wasmFiles: () => requests.filter((u) => u.endsWith('.wasm')).map((u) => u.slice(u.lastIndexOf('/') + 1)),
    async run(model, inputs, n, build = 'simd') {
      const page = pages.get(build) ?? await openPage(build);
      if (model.length + inputs.length > MAX_DATA_BYTES) throw new RangeError('harness data over 64 MiB');
      const id = seq++;
      data.set(`m${id}.tflite`, model);
      data.set(`x${id}.bin`, new Uint8Array(inputs.buffer, inputs.byteOffset, inputs.byteLength));
      try {
        const r = await page.evaluate(([m, x, k]) => (window as any).runTflite(m, x, k), [`m${id}.tflite`, `x${id}.bin`, n] as const);
        return { outputs: Int8Array.from(r.outputs as number[]), inputShape: r.inputShape, outputShape: r.outputShape, types: r.types, kernels: r.kernels };
      } finally {
        data.delete(`m${id}.tflite`); data.delete(`x${id}.bin`);
      }
    },
    async close() {
      await browser?.close().catch(() => {});
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}

// The dashboard's in-browser inference (optional): serves @tensorflow/tfjs-tflite and the tfjs
// files it needs from node_modules, the current global model as a .tflite (protocol/tflite), and
// held-out digits, so the page runs the model on a digit with TFLite's WebAssembly kernels.
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { blobToTflite } from '../../protocol/tflite/index.js';

export interface InferenceOptions {
  /** URL name → package folder: `tfjs-core`, `tfjs-backend-cpu`, `tfjs-tflite`. */
  packages: Record<string, string>;
  /** The current global model blob (protocol/model-blob), if a round has produced one. */
  model(): Uint8Array | undefined;
  /** Held-out digits the page may pick from (n × dim uint8 pixels, labels). */
  digits?: { x: Uint8Array; y: Uint8Array; n: number; dim: number };
}

export interface Reply { code: number; body: string | Uint8Array; type: string }

/** Subfolders of a package that may be served. */
const ALLOW = ['dist', 'wasm'];
const TYPES: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.wasm': 'application/wasm', '.map': 'application/json' };
const notFound: Reply = { code: 404, body: JSON.stringify({ error: 'not found' }), type: 'application/json; charset=utf-8' };

/** Answers the inference routes (undefined: not one of them). Never serves outside ALLOW. */
export async function inferenceRoute(path: string, o: InferenceOptions | undefined): Promise<Reply | undefined> {
  if (path === '/api/inference') return { code: 200, type: 'application/json; charset=utf-8', body: JSON.stringify({ enabled: !!o, model: !!o?.model(), digits: o?.digits?.n ?? 0, packages: Object.keys(o?.packages ?? {}) }) };
  if (!o) return path.startsWith('/pkg/') || path === '/api/model.tflite' || path.startsWith('/api/digit/') ? notFound : undefined;
  if (path === '/api/model.tflite') {
    const m = o.model();
    return m ? { code: 200, body: blobToTflite(m), type: 'application/octet-stream' } : notFound;
  }
  const d = /^\/api\/digit\/(\d{1,6})$/.exec(path);
  if (d) {
    const i = Number(d[1]), g = o.digits;
    if (!g || i >= g.n) return notFound;
    return { code: 200, type: 'application/json; charset=utf-8', body: JSON.stringify({ index: i, label: g.y[i], pixels: Array.from(g.x.subarray(i * g.dim, (i + 1) * g.dim)) }) };
  }
  const m = /^\/pkg\/([a-z-]{1,32})\/([A-Za-z0-9_./-]{1,128})$/.exec(path);
  if (m) {
    const dir = o.packages[m[1]];
    if (!dir || m[2].includes('..')) return notFound;
    const file = resolve(dir, m[2]);
    if (!ALLOW.some((a) => file.startsWith(join(dir, a) + sep)) || !existsSync(file)) return notFound;
    const ext = file.slice(file.lastIndexOf('.'));
    return { code: 200, body: await readFile(file), type: TYPES[ext] ?? 'application/octet-stream' };
  }
  return undefined;
}

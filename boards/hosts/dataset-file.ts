// A board's local dataset as one file for a C host to stream from flash or disk
// (boards/hosts/wamr/dataset.h): a 20-byte little-endian header, the features, then the labels.
//   "EFDS" | u8 version = 1 | u8 kind = 0 (uint8 labels) | u16 0 | u32 n | u32 dim | u32 classes
//   | n × dim uint8 features (row-major) | n uint8 labels
import type { Dataset } from '../firmware/kernel.js';

export const DATASET_MAGIC = 'EFDS';
export const DATASET_HEADER_BYTES = 20;
/** Limits shared with the C reader: firmware MAX_INPUTS and MAX_OUTPUTS, 2^24 samples. */
export const DATASET_LIMITS = { samples: 1 << 24, dim: 1024, classes: 16 };

/** Typed rejection of a dataset file. */
export class DatasetFileError extends Error {
  constructor(message: string) { super(message); this.name = 'DatasetFileError'; }
}

function checkShape(n: number, dim: number, classes: number): void {
  const L = DATASET_LIMITS;
  if (!(Number.isInteger(n) && n >= 1 && n <= L.samples)) throw new DatasetFileError(`sample count ${n} outside 1..${L.samples}`);
  if (!(Number.isInteger(dim) && dim >= 1 && dim <= L.dim)) throw new DatasetFileError(`dim ${dim} outside 1..${L.dim}`);
  if (!(Number.isInteger(classes) && classes >= 1 && classes <= L.classes)) throw new DatasetFileError(`classes ${classes} outside 1..${L.classes}`);
}

/** Encodes a classifier dataset (uint8 labels). Throws DatasetFileError for shapes the C host
 *  rejects or labels ≥ classes. @example writeFileSync('shard.efds', encodeDatasetFile(d)); */
export function encodeDatasetFile(d: Dataset): Uint8Array {
  checkShape(d.n, d.dim, d.classes);
  if (d.t) throw new DatasetFileError('Q16 regression targets are not supported by the file format (v1)');
  if (d.x.length < d.n * d.dim || d.y.length < d.n) throw new DatasetFileError('features or labels shorter than n');
  const out = new Uint8Array(DATASET_HEADER_BYTES + d.n * d.dim + d.n);
  const dv = new DataView(out.buffer);
  out.set(new TextEncoder().encode(DATASET_MAGIC), 0);
  out[4] = 1;
  dv.setUint32(8, d.n, true); dv.setUint32(12, d.dim, true); dv.setUint32(16, d.classes, true);
  out.set(d.x.subarray(0, d.n * d.dim), DATASET_HEADER_BYTES);
  for (let i = 0; i < d.n; i++) {
    if (d.y[i] >= d.classes) throw new DatasetFileError(`label ${d.y[i]} of sample ${i} ≥ classes ${d.classes}`);
    out[DATASET_HEADER_BYTES + d.n * d.dim + i] = d.y[i];
  }
  return out;
}

/** Decodes and checks a dataset file (untrusted bytes: header, limits, exact length). */
export function decodeDatasetFile(b: Uint8Array): Dataset {
  if (b.length < DATASET_HEADER_BYTES) throw new DatasetFileError('truncated header');
  if (new TextDecoder().decode(b.subarray(0, 4)) !== DATASET_MAGIC || b[4] !== 1 || b[5] !== 0 || b[6] !== 0 || b[7] !== 0) {
    throw new DatasetFileError('not an EFDS v1 file with uint8 labels');
  }
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const n = dv.getUint32(8, true), dim = dv.getUint32(12, true), classes = dv.getUint32(16, true);
  checkShape(n, dim, classes);
  const want = DATASET_HEADER_BYTES + n * dim + n;
  if (b.length !== want) throw new DatasetFileError(`${b.length} bytes, header says ${want}`);
  const x = b.slice(DATASET_HEADER_BYTES, DATASET_HEADER_BYTES + n * dim);
  const y = b.slice(DATASET_HEADER_BYTES + n * dim);
  for (let i = 0; i < n; i++) if (y[i] >= classes) throw new DatasetFileError(`label ${y[i]} of sample ${i} ≥ classes ${classes}`);
  return { n, dim, x, y, classes };
}

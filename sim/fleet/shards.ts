// Training data for the fleet: every board's shard is a view onto one SharedArrayBuffer laid
// out in shard order, so a worker holds no per-board copy of the pixels.
import type { Dataset } from '../../boards/data/mnist.js';
import { partition } from '../../boards/data/partition.js';
import { Rng } from '../../boards/data/rng.js';
import type { Partition } from '../scenario/schema.js';

/** The shared layout: rows in shard order; board i owns rows [start[i], start[i] + count[i]). */
export interface SharedShards {
  x: SharedArrayBuffer; y: SharedArrayBuffer; dim: number; classes: number;
  start: Int32Array; count: Int32Array;
}

/** Lays out `devices` shards of `train` per `spec`. Windows may overlap (rows are duplicated
 *  once at the end so a window never wraps). Deterministic in `seed`. */
export function buildShards(train: Dataset, devices: number, spec: Partition, seed: number): SharedShards {
  let rows: number[];
  const start = new Int32Array(devices), count = new Int32Array(devices);
  if (spec.kind === 'windows') {
    const order = Array.from({ length: train.n }, (_, i) => i);
    if (spec.sorted) order.sort((a, b) => train.y[a] - train.y[b] || a - b);
    else new Rng(seed).shuffle(order);
    const per = Math.min(spec.perDevice, train.n);
    rows = order.concat(order.slice(0, per));
    for (let i = 0; i < devices; i++) { start[i] = Math.floor((i * train.n) / devices); count[i] = per; }
  } else {
    const parts = partition(train, devices, spec, seed, Math.min(10, Math.floor(train.n / devices)) || 1);
    rows = [];
    parts.forEach((p, i) => { start[i] = rows.length; count[i] = p.length; for (const r of p) rows.push(r); });
  }
  const x = new SharedArrayBuffer(rows.length * train.dim), y = new SharedArrayBuffer(rows.length);
  const xv = new Uint8Array(x), yv = new Uint8Array(y);
  rows.forEach((r, k) => { xv.set(train.x.subarray(r * train.dim, (r + 1) * train.dim), k * train.dim); yv[k] = train.y[r]; });
  return { x, y, dim: train.dim, classes: train.classes, start, count };
}

/** Board i's shard as a zero-copy Dataset view. */
export function shardView(s: SharedShards, i: number): Dataset {
  const a = s.start[i], n = s.count[i];
  return { n, dim: s.dim, classes: s.classes, x: new Uint8Array(s.x, a * s.dim, n * s.dim), y: new Uint8Array(s.y, a, n) };
}

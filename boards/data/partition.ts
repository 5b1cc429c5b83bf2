// Partitions of a labelled dataset across devices: IID, label shards, or Dirichlet(α) label skew.
import { Rng } from './rng.js';
import type { Dataset } from './mnist.js';

export type PartitionSpec =
  | { kind: 'iid' }
  | { kind: 'dirichlet'; alpha: number }
  | { kind: 'shards'; perDevice: number };

/** Row indices per device. Every row goes to exactly one device; deterministic in `seed`.
 *  Dirichlet: for each class c, proportions p_c ~ Dir(α·1_N) split that class's rows
 *  (Hsu et al. 2019 label skew). Devices left with fewer than `minRows` rows take rows
 *  from the largest device so every board can train. */
export function partition(d: Dataset, devices: number, spec: PartitionSpec, seed: number, minRows = 10): number[][] {
  if (!Number.isInteger(devices) || devices < 1) throw new RangeError('devices must be a positive integer');
  if (devices * minRows > d.n) throw new RangeError(`${d.n} rows cannot give ${devices} devices ${minRows} rows each`);
  const rng = new Rng(seed);
  const parts: number[][] = Array.from({ length: devices }, () => []);
  const byClass: number[][] = Array.from({ length: d.classes }, () => []);
  for (let i = 0; i < d.n; i++) byClass[d.y[i]].push(i);
  byClass.forEach((rows) => rng.shuffle(rows));

  if (spec.kind === 'iid') {
    const all = rng.shuffle(Array.from({ length: d.n }, (_, i) => i));
    all.forEach((r, i) => parts[i % devices].push(r));
  } else if (spec.kind === 'shards') {
    // McMahan et al. 2017: sort by label, cut into devices·perDevice shards, deal them out.
    const sorted = byClass.flat();
    const nShards = devices * spec.perDevice;
    const order = rng.shuffle(Array.from({ length: nShards }, (_, i) => i));
    order.forEach((s, i) => {
      const lo = Math.floor((s * sorted.length) / nShards), hi = Math.floor(((s + 1) * sorted.length) / nShards);
      parts[i % devices].push(...sorted.slice(lo, hi));
    });
  } else {
    if (!(spec.alpha > 0)) throw new RangeError('Dirichlet alpha must be > 0');
    for (const rows of byClass) {
      const g = Array.from({ length: devices }, () => rng.gamma(spec.alpha));
      const sum = g.reduce((a, b) => a + b, 0);
      let start = 0, acc = 0;
      for (let k = 0; k < devices; k++) {
        acc += g[k] / sum;
        const end = k === devices - 1 ? rows.length : Math.round(acc * rows.length);
        parts[k].push(...rows.slice(start, end));
        start = end;
      }
    }
  }
  // top up tiny devices from the largest one (keeps the partition a partition)
  for (const p of parts) {
    while (p.length < minRows) {
      const donor = parts.reduce((a, b) => (b.length > a.length ? b : a));
      p.push(donor.pop()!);
    }
  }
  return parts.map((p) => rng.shuffle(p));
}

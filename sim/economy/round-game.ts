// A synthetic FL round for the economy experiments: n boards with unequal MNIST shards (and
// optionally some misbehaving ones) train one local epoch from a shared starting model in the
// firmware kernel; the round's loss game (gateway/economy/value.ts) is then over their updates.
// Deterministic in the seed.
import { loadMnist, subset, type Dataset } from '../../boards/data/mnist.js';
import { trainTestSplit } from '../../boards/data/split.js';
import { Rng } from '../../boards/data/rng.js';
import { FirmwareInstance } from '../../boards/firmware/instance.js';
import { Kernel } from '../../boards/firmware/kernel.js';
import { decodeModel, encodeModel } from '../../protocol/model-blob.js';
import { aggregator, type Contribution } from '../../gateway/aggregate/index.js';
import { lossGame } from '../../gateway/economy/value.js';
import type { Game } from '../../gateway/economy/shapley.js';

/** How a board behaves in the round. */
export type Behaviour = 'honest' | 'noisy-labels' | 'sign-flip' | 'gaussian' | 'lazy' | 'free-rider';

export interface RoundSetup { n: number; seed: number; behaviours?: Behaviour[]; validation?: number; minSize?: number; maxSize?: number }
export interface SyntheticRound { game: Game; sizes: number[]; behaviours: Behaviour[]; base: Uint8Array; updates: Contribution[] }

let cache: { train: Dataset; test: Dataset } | undefined;
const TRAIN = { epochs: 1, batch: 10, lr: 0.05 };

/** Builds the round. Sizes are drawn uniformly in [minSize, maxSize] (default 20..400). */
export function syntheticRound(o: RoundSetup): SyntheticRound {
  cache ??= trainTestSplit(loadMnist(), 0.2, 1);
  const { train, test } = cache;
  const rng = new Rng(o.seed * 7919 + o.n);
  const kernel = new Kernel(new FirmwareInstance());
  // the round's starting model: the initial model after one epoch on 200 rows (a round ≥ 2)
  const init = Kernel.initialModel(new FirmwareInstance(), { arch: 'logreg', inputs: train.dim, outputs: train.classes, seed: o.seed });
  const pick = (k: number) => { const idx = new Set<number>(); while (idx.size < k) idx.add(rng.int(train.n)); return subset(train, [...idx]); };
  kernel.load(init); kernel.train(pick(200), { ...TRAIN, seed: o.seed });
  const base = kernel.export();
  const { header, params: p0 } = decodeModel(base);
  const behaviours = o.behaviours ?? new Array(o.n).fill('honest');
  const lo = o.minSize ?? 20, hi = o.maxSize ?? 400;
  const sizes = behaviours.map(() => lo + rng.int(hi - lo + 1));
  const updates: Contribution[] = [];
  behaviours.forEach((b, i) => {
    const d = pick(sizes[i]!);
    if (b === 'noisy-labels') for (let j = 0; j < d.n; j++) d.y[j] = rng.int(d.classes);
    kernel.load(base); kernel.train(d, { ...TRAIN, seed: o.seed * 100 + i });
    let p = decodeModel(kernel.export()).params;
    if (b === 'sign-flip') p = p.map((v, j) => p0[j]! - 4 * (v - p0[j]!));
    if (b === 'gaussian') p = p.map((v, j) => p0[j]! + Math.round(rng.normal() * 3 * Math.abs(v - p0[j]!) + rng.normal() * 20000));
    if (b === 'free-rider') p = new Int32Array(p0);
    if (b === 'lazy' && i > 0) p = new Int32Array(updates[0]!.params);
    updates.push({ params: p, n: d.n });
  });
  const v = cache.test.n;
  const validation = subset(test, Array.from({ length: Math.min(o.validation ?? 300, v) }, (_, j) => j));
  const game = lossGame({ base, updates, rule: aggregator('fedavg'), kernel, validation });
  void encodeModel; void header;
  return { game, sizes, behaviours, base, updates };
}

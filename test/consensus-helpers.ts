// Shared fixtures for consensus tests: MNIST shards, locally trained honest updates and
// Gaussian-noise (poisoned) updates, and a device-side scorer using the firmware evaluation.
import { sha256 } from '../protocol/bytes.js';
import { nodeSigner, type Signer } from '../gateway/ledger/index.js';
import { loadMnist, subset, type Dataset } from '../boards/data/mnist.js';
import { trainTestSplit } from '../boards/data/split.js';
import { partition } from '../boards/data/partition.js';
import { Rng } from '../boards/data/rng.js';
import { FirmwareInstance } from '../boards/firmware/instance.js';
import { Kernel } from '../boards/firmware/kernel.js';
import { decodeModel, encodeModel, W_MASTER_MAX, type ModelHeader } from '../protocol/model-blob.js';
import { demoSeed } from '../protocol/keys.js';
import type { Candidate } from '../gateway/consensus/engine.js';

export interface Fleet { ids: string[]; shards: Dataset[]; test: Dataset; initial: Uint8Array; header: ModelHeader; kernel: Kernel; signer(id: string): Signer }

/** `devices` non-IID MNIST shards (Dirichlet α), an initial logreg model and one kernel. */
export function fleet(devices: number, seed = 7, alpha = 1): Fleet {
  const { train, test } = trainTestSplit(loadMnist(), 0.2, seed);
  const parts = partition(train, devices, { kind: 'dirichlet', alpha }, seed);
  const fw = new FirmwareInstance();
  const kernel = new Kernel(fw);
  const initial = Kernel.initialModel(fw, { arch: 'logreg', inputs: train.dim, outputs: train.classes, seed });
  const ids = parts.map((_, i) => `dev-${String(i).padStart(4, '0')}`);
  return {
    ids, shards: parts.map((p) => subset(train, p)), test, initial, header: decodeModel(initial).header, kernel,
    signer: (id) => nodeSigner(id, demoSeed(id, seed)),
  };
}

/** Trains device i one epoch from `model` and returns its candidate update. */
export function honestUpdate(f: Fleet, i: number, model: Uint8Array, round = 1): Candidate {
  f.kernel.load(model);
  f.kernel.train(f.shards[i], { epochs: 1, batch: 32, lr: 0.5, seed: 1000 * round + i });
  const blob = f.kernel.export();
  return { id: f.ids[i], n: f.shards[i].n, params: decodeModel(blob).params, updateHash: sha256(blob) };
}

/** A Gaussian-noise update (the poisoning attack of 002 §IV): every parameter drawn from
 *  N(0, σ²) instead of trained (shape and scales of `model` kept, so it passes admission). */
export function noiseUpdate(f: Fleet, i: number, model: Uint8Array, seed: number, sigma = 6000): Candidate {
  const rng = new Rng(seed);
  const p = new Int32Array(decodeModel(model).params.length);
  for (let j = 0; j < p.length; j++) p[j] = Math.max(-W_MASTER_MAX, Math.min(W_MASTER_MAX, Math.round(rng.normal() * sigma)));
  const blob = encodeModel(f.header, p);
  return { id: f.ids[i], n: f.shards[i].n, params: decodeModel(blob).params, updateHash: sha256(blob) };
}

/** Accuracy (ppm) of `params` on `data`, by the firmware's evaluation (what a board does). */
export function scoreOn(f: Fleet, params: Int32Array, data: Dataset): number {
  f.kernel.load(encodeModel(f.header, params));
  return Math.round(f.kernel.evaluate(data).accuracy * 1e6);
}

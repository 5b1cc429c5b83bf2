// The emulated boards' local shards of a deployment, drawn the same way on every box from the
// deployment's data seed (protocol/deployment.ts), so a board process and the demo agree.
import { loadMnist, subset, type Dataset } from './mnist.js';
import { trainTestSplit } from './split.js';
import { partition } from './partition.js';

/** The emulated boards' local shards: MNIST train split (80 %), Dirichlet(α) over `devices`.
 *  The same draw as the one-process demo (sim/run.ts) for the same seed. */
export function fleetShards(seed: number, devices: number, alpha: number): Dataset[] {
  const { train } = trainTestSplit(loadMnist(), 0.2, seed);
  return partition(train, devices, { kind: 'dirichlet', alpha }, seed).map((p) => subset(train, p));
}


// The gateways' root update for root trust (consensus/root-trust.ts; FLTrust, NDSS 2021 §IV "the server
// trains a server model update on the root dataset"): the round's global parameters loaded into
// a firmware instance and trained on the root dataset with the task's own integer training, so
// every gateway holding the same root data gets the same bytes. The training seed is the round
// number, fixed by the task, never local state.
import { FirmwareInstance } from '../../boards/firmware/instance.js';
import { Kernel, type Dataset } from '../../boards/firmware/kernel.js';
import { decodeModel, encodeModel, type ModelHeader } from '../../protocol/model-blob.js';
import { loadMnist } from '../../boards/data/mnist.js';
import { TRAIN } from '../../protocol/task.js';
import { trainTestSplit, balancedSample } from '../../boards/data/split.js';

/** Training settings of the root update (the task's: the devices' epochs, batch and rate). */
export interface RootTraining { epochs: number; batch: number; lr: number }

/** A deployment's root training: one epoch of the task's SGD (protocol/task.ts TRAIN). */
export const ROOT_TRAINING: RootTraining = { epochs: 1, ...TRAIN };

/** A `ctx.reference` for models of `header`, over `root` (a small balanced clean dataset).
 *  @example ctx.reference = rootUpdater(header, balancedSample(data, 10, seed), { epochs: 1, batch: 32, lr: 0.5 }) */
export function rootUpdater(header: ModelHeader, root: Dataset, t: RootTraining): (base: Int32Array, round: number) => Int32Array {
  if (root.n === 0) throw new RangeError('rootUpdater: the root dataset is empty');
  const k = new Kernel(new FirmwareInstance());
  return (base, round) => {
    k.load(encodeModel(header, base));
    k.train(root, { epochs: t.epochs, batch: t.batch, lr: t.lr, seed: round >>> 0 });
    return decodeModel(k.export()).params;
  };
}

/** The root dataset of an MNIST deployment: `perClass` digits of each class from the training
 *  pool of the deployment's data seed (the split every gateway evaluates with), drawn with the
 *  same seed, so every gateway of the deployment holds the same 10·perClass digits. */
export function mnistRootData(dataSeed: number, perClass = 10): Dataset {
  return balancedSample(trainTestSplit(loadMnist(), 0.2, dataSeed).train, perClass, dataSeed);
}

// What a federated task fixes for everyone taking part — gateways publish it, boards follow
// it: the round consensus engines a task may choose, their published settings, and the
// demo task's name and local-training hyper-parameters.

/** Round consensus engines a task can choose (genesis `params.fl_consensus`, each header's `cons.engine`). */
export type EngineName = 'fedavg' | 'committee' | 'poq' | 'pow';
export const ENGINE_NAMES: readonly EngineName[] = ['fedavg', 'committee', 'poq', 'pow'];

/** Engine settings a task publishes (defaults used by the demo and tests). */
export interface TaskSettings {
  poqTolerance?: number; poqThreshold?: number;
  committeeSize?: number; threshold?: number; k?: number;
  difficulty?: number; forkRule?: 'longest' | 'reputation' | 'stake' | 'distance';
  /** The poisoning defence on a fedavg task (docs/robustness.md): FLTrust with the gateways'
   *  root dataset of `rootData` digits per class (default 10), reputation carried across
   *  rounds, centered clipping of the admitted updates. */
  rootTrust?: boolean; rootData?: number;
}

/** The demo task: logistic regression on MNIST digits. */
export const DEFAULT_TASK = 'mnist-lr';
/** Local SGD for logistic regression (kernel docs: lr is the real step on the batch-mean gradient). */
export const TRAIN = { batch: 32, lr: 0.5 };

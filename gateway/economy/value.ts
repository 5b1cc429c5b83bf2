// The value function of seed 003 Eq. 1: a coalition S is worth how much its aggregate lowers
// the loss on a validation set, v(S) = F_∅ − F_S, where F_S is the total loss of the model
// aggregated from S's updates under the task's rule and F_∅ that of the round's starting
// global model (so v(∅) = 0 and Eq. 1's marginal F_S − F_{S∪i} = v(S∪i) − v(S)). The model is
// evaluated in the firmware kernel, whose loss accumulator is an integer (Q16 nats summed over
// the samples), so every value is an exact integer and every gateway gets the same one.
import { decodeModel, encodeModel, type ModelHeader } from '../../protocol/model-blob.js';
import type { AggregationRule, Contribution, RuleOptions } from '../aggregate/index.js';
import type { Kernel, Dataset } from '../../boards/firmware/kernel.js';
import type { Game } from './shapley.js';

/** Total validation loss of `model` in Q16 nats (the kernel's integer accumulator, recovered
 *  exactly from its mean: mean·65536·count is the integer it divided). */
export function totalLossQ16(kernel: Kernel, model: Uint8Array, validation: Dataset): number {
  kernel.load(model);
  const r = kernel.evaluate(validation);
  return Math.round(r.loss * 65536 * r.count);
}

/** What a loss game needs: the round's starting model, the participants' updates (in a fixed
 *  order, e.g. by device id), the task's aggregation rule, a kernel and the validation set. */
export interface LossGameInput {
  base: Uint8Array;
  updates: readonly Contribution[];
  rule: AggregationRule;
  ruleOpts?: RuleOptions;
  kernel: Kernel;
  validation: Dataset;
}

/** The cooperative game v(S) = F_∅ − F_S over a round's updates (integer, Q16 nats).
 *  Throws RangeError on mismatched models.
 *  @example const g = lossGame({ base, updates, rule: aggregator('fedavg'), kernel, validation }) */
export function lossGame(o: LossGameInput): Game {
  const { header } = decodeModel(o.base);
  const f0 = totalLossQ16(o.kernel, o.base, o.validation);
  const n = o.updates.length;
  return {
    n,
    value(mask: number): number {
      if (mask === 0) return 0;
      const members: Contribution[] = [];
      for (let i = 0; i < n; i++) if (mask & (1 << i)) members.push(o.updates[i]!);
      return f0 - totalLossQ16(o.kernel, modelOf(header, o.rule(members, o.ruleOpts)), o.validation);
    },
  };
}

function modelOf(h: ModelHeader, params: Int32Array): Uint8Array { return encodeModel(h, params); }

/** An update blob as a Contribution (its parameters and declared sample count). */
export function contributionOf(model: Uint8Array, n: number, score?: number): Contribution {
  return { params: decodeModel(model).params, n, score };
}

// The computing center of seed 003 as a gateway function: values a round's accepted updates by
// their Shapley values over the loss game (value.ts), with the method and budget the task's
// contract names. Every gateway of a cluster runs it on the same validation set with the seed
// the chain gives (reward.ts shapleySeed), so followers recompute the proposer's φ exactly —
// the verification is full recomputation, at the cost of `budget` model evaluations per round.
import { FirmwareInstance } from '../../boards/firmware/instance.js';
import { Kernel, type Dataset } from '../../boards/firmware/kernel.js';
import type { AggregationRule, RuleOptions } from '../aggregate/index.js';
import type { Contribute } from '../round/reward.js';
import { lossGame } from './value.js';
import { CountingGame, exactShapley, gtgShapley, tmcShapley, type ShapleyMethod } from './shapley.js';
import { stratifiedShapley } from './stratified.js';

/** Rounds at most this large are valued exactly whatever the method (2^n ≤ the default budget). */
export const EXACT_UP_TO = 8;
/** Participants above which `exact` falls back to `stratified` with the task's budget. */
export const EXACT_LIMIT = 14;

/** φ of a game by the task's method and budget (evaluations of distinct coalitions). */
export function valueRound(game: CountingGame, method: string, budget: number, seed: number): { method: ShapleyMethod; phi: number[]; evaluations: number } {
  const n = game.n;
  const m: ShapleyMethod = n <= EXACT_UP_TO || (method === 'exact' && n <= EXACT_LIMIT) ? 'exact' : method === 'exact' ? 'stratified' : (method as ShapleyMethod);
  const b = Math.max(2 * n + 2, budget);
  const r = m === 'exact' ? exactShapley(game)
    : m === 'tmc' ? tmcShapley(game, { seed, budget: b, permutations: 100 * n })
    : m === 'gtg' ? gtgShapley(game, { seed, budget: b, permutations: 100 * n })
    : stratifiedShapley(game, { seed, budget: b });
  return { method: m, phi: r.phi, evaluations: r.evaluations };
}

/** A Contribute over a kernel of its own and the validation set.
 *  @example economy.contribute = kernelContribute({ rule: aggregator('fedavg'), validation }) */
export function kernelContribute(o: { rule: AggregationRule; ruleOpts?: RuleOptions; validation: Dataset }): Contribute {
  const kernel = new Kernel(new FirmwareInstance());
  return ({ base, updates, seed, method, budget }) => {
    const game = new CountingGame(lossGame({ base, updates, rule: o.rule, ruleOpts: o.ruleOpts, kernel, validation: o.validation }));
    return valueRound(game, method, budget, seed);
  };
}

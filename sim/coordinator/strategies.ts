// The simulator's consensus strategies by scenario name (`consensus.engine`), each a thin
// adapter over one gateway/consensus engine.
import type { Scenario } from '../scenario/schema.js';
import { aggregationStrategy } from './fedavg.js';
import { committeeStrategy } from './committee.js';
import { powStrategy } from './pow.js';
import type { ConsensusStrategy, KeyOf } from './strategy.js';

const STRATEGIES: Record<Scenario['consensus']['engine'], (s: Scenario, keyOf: KeyOf) => ConsensusStrategy> = {
  none: aggregationStrategy,
  committee: committeeStrategy,
  pow: powStrategy,
};

/** The strategy a scenario asks for; `keyOf` gives device and gateway keys for evidence checks.
 *  @example const st = strategyFor(s, (id) => keys.get(id)) */
export function strategyFor(s: Scenario, keyOf: KeyOf): ConsensusStrategy {
  return STRATEGIES[s.consensus.engine](s, keyOf);
}

// Basic FL and robust aggregation (FedAvg, median, trimmed mean, Krum, ...) in the simulator:
// K seeded trainers per round, no committee, and gateway/consensus/fedavg.ts decides — every
// admitted update counts and the scenario's aggregation rule combines them.
import type { Scenario } from '../scenario/schema.js';
import { fedavgEngine } from '../../gateway/consensus/fedavg.js';
import { decideWith } from './engine-adapter.js';
import { openPlan, type ConsensusStrategy, type KeyOf } from './strategy.js';

/** The aggregation-only strategy (scenario `consensus.engine: none`). */
export function aggregationStrategy(s: Scenario, keyOf: KeyOf): ConsensusStrategy {
  return {
    name: s.aggregation.rule,
    needsScores: false,
    plan: openPlan(s),
    decide(view, candidates) {
      const d = decideWith(s, keyOf, { engine: fedavgEngine, view, candidates, committee: [], evidence: null });
      return { accepted: d.accepted, rejected: d.rejected, params: d.params };
    },
  };
}

// BC-FL proof of work (004 §III-C) in the simulator: K seeded trainers per round and the
// simulated gateway as the one miner. It aggregates the pool with the scenario's rule, searches
// a nonce for gateway/consensus/pow.ts's work at the scenario's difficulty, and the engine then
// verifies nonce and aggregate by recomputing them, as every other miner would. With a single
// miner there are no forks; fork rules (gateway/consensus/fork.ts) need the cluster run.
import type { Scenario } from '../scenario/schema.js';
import { powEngine, mine, workPrefix } from '../../gateway/consensus/pow.js';
import { aggregateAccepted, canonicalOrder, ConsensusError } from '../../gateway/consensus/engine.js';
import { decideWith } from './engine-adapter.js';
import { openPlan, type ConsensusStrategy, type KeyOf } from './strategy.js';

/** Id of the simulated gateway, the miner (its key must be known to `keyOf`). */
export const MINER = 'gw-0';
/** Most nonces tried before giving up (2^30: ~2^(difficulty) expected). */
const MAX_NONCES = 2 ** 30;

/** The PoW strategy (scenario `consensus.engine: pow`, `consensus.difficulty` bits). */
export function powStrategy(s: Scenario, keyOf: KeyOf): ConsensusStrategy {
  const difficulty = s.consensus.difficulty;
  const engine = powEngine({ difficulty });
  return {
    name: 'pow',
    needsScores: false,
    plan: openPlan(s),
    decide(view, candidates) {
      const d = decideWith(s, keyOf, {
        engine, view, candidates, committee: [],
        evidence: (input, ctx) => {
          // The miner's side: the same aggregate the engine recomputes, then the nonce search.
          const ids = canonicalOrder(input.candidates).map((c) => c.id);
          const params = aggregateAccepted(input.candidates, ids, new Map(ids.map((id) => [id, 0])), ctx);
          const nonce = mine(workPrefix(input, MINER, params, difficulty), difficulty, 0, MAX_NONCES);
          if (nonce === undefined) throw new ConsensusError('bad_work', `no nonce below 2^30 at difficulty ${difficulty}`);
          return { miner: MINER, nonce, difficulty };
        },
      });
      return { accepted: d.accepted, rejected: d.rejected, params: d.params };
    },
  };
}

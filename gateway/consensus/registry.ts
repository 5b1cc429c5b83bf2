// A task's round engine as chain parameters: the genesis records the engine's name
// (`fl_consensus`), its configuration (`fl_<key>`) and the aggregation rule (`fl_rule`), so an
// auditor rebuilds exactly the engine the gateways ran (gateway/audit/replay.ts).
import { aggregator, type AggregatorName } from '../aggregate/index.js';
import { committeeEngine } from './committee.js';
import { poqEngine } from './poq.js';
import { powEngine } from './pow.js';
import { fedavgEngine } from './accept-all.js';
import { rootTrustEngine } from './root-trust.js';
import type { ConsensusEngine, EngineContext } from './engine.js';
import type { ElectionMethod } from './election.js';

/** Genesis parameters that name `engine` and its configuration, and the aggregation rule. */
export function engineParams(engine: ConsensusEngine<any>, rule = 'fedavg'): Record<string, number | string> {
  const out: Record<string, number | string> = { fl_consensus: engine.name, fl_rule: rule };
  for (const [k, v] of Object.entries(engine.config)) out[`fl_${k}`] = v;
  return out;
}

const num = (p: Record<string, unknown>, k: string): number | undefined => (typeof p[`fl_${k}`] === 'number' ? p[`fl_${k}`] as number : undefined);

/** The engine and rule recorded in genesis parameters. Throws RangeError when they are incomplete. */
export function engineFromParams(p: Record<string, unknown>): { engine: ConsensusEngine<any>; rule: EngineContext['rule']; ruleName: string } {
  const ruleName = typeof p.fl_rule === 'string' ? p.fl_rule : 'fedavg';
  const rule = aggregator(ruleName as AggregatorName);
  switch (p.fl_consensus) {
    case 'committee': {
      const threshold = num(p, 'threshold'), k = num(p, 'k'), size = num(p, 'size');
      if (threshold === undefined || k === undefined || size === undefined) throw new RangeError('genesis lacks the committee engine\'s fl_threshold, fl_k or fl_size');
      return { engine: committeeEngine({ threshold, k, size, election: (p.fl_election as ElectionMethod | undefined) ?? 'score', capabilityWeight: num(p, 'capability_weight'), electThreshold: num(p, 'elect_threshold'), warmup: num(p, 'warmup'), trust: num(p, 'trust') === 1, trustFloor: num(p, 'trust_floor'), trustRoot: p.fl_trust_root === 'median' ? 'median' : undefined }), rule, ruleName };
    }
    case 'poq': return { engine: poqEngine({ threshold: num(p, 'threshold'), tolerance: num(p, 'tolerance') }), rule, ruleName };
    case 'pow': return { engine: powEngine({ difficulty: num(p, 'difficulty') ?? 10 }), rule, ruleName };
    default:
      // fedavg with the gateways' root-dataset trust (root-trust.ts): the same engine name, its options in fl_trust*
      if (p.fl_trust === 'root') return { engine: rootTrustEngine({ floor: num(p, 'trust_floor'), reputation: num(p, 'trust_reputation') === 1 }), rule, ruleName };
      return { engine: fedavgEngine, rule, ruleName };
  }
}

// The baseline engine: every admitted update counts and is aggregated by the task's rule
// (sample-weighted FedAvg by default). No evidence; gateways only agree on the candidate set.
import { aggregateAccepted, canonicalOrder, ConsensusError, type ConsensusEngine } from './engine.js';

/** FedAvg engine: accept all admitted updates.
 *  @example fedavgEngine.decide({ round, prev, candidates, committee: [] }, null, ctx) */
export const fedavgEngine: ConsensusEngine<null> = {
  name: 'fedavg',
  config: {},
  caps: { proposer: 'leader', committee: 'none', evidence: 'none' },
  decide(input, _e, ctx) {
    const accepted = canonicalOrder(input.candidates).map((c) => c.id);
    const scores = new Map(accepted.map((id) => [id, 0]));
    return { accepted, scores, params: aggregateAccepted(input.candidates, accepted, scores, ctx), nextCommittee: [] };
  },
  encodeEvidence: () => null,
  decodeEvidence(v) {
    if (v !== null && v !== undefined) throw new ConsensusError('malformed', 'fedavg carries no evidence');
    return null;
  },
};

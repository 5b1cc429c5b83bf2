// The one bridge from the simulator to gateway/consensus (STYLE §2): a strategy is the
// simulator's selection (who trains, who sits on the committee) plus one ConsensusEngine.
// This adapter maps board indices to device ids, builds the engine's RoundInput and context
// (device keys, the scenario's aggregation rule), calls the pure `decide`, and maps the
// Decision back to indices, with a reason for every update the engine left out.
import type { Scenario } from '../scenario/schema.js';
import type { ConsensusEngine, Decision as EngineDecision, EngineContext, RoundInput } from '../../gateway/consensus/engine.js';
import { deviceId, deviceIndex } from '../protocol.js';
import { scenarioRule, type Candidate, type Decision, type KeyOf, type Rejected, type RoundView } from './strategy.js';

export interface EngineRound<E> {
  engine: ConsensusEngine<E>;
  view: RoundView;
  candidates: Candidate[];
  /** This round's committee (board indices), empty for engines without one. */
  committee: readonly number[];
  /** The engine's evidence, or a function that produces it at the gateway (PoW: it mines). */
  evidence: E | ((input: RoundInput, ctx: EngineContext) => E);
  /** Why an update the engine did not accept was left out (reason code and detail). */
  why?(c: Candidate, d: EngineDecision): Omit<Rejected, 'index'>;
}

/** The engine's decision plus the next committee as board indices. */
export interface AdaptedDecision extends Decision { nextCommittee: number[]; leader?: string }

/** The engine's RoundInput and context for a simulated round. */
export function engineInput(view: RoundView, candidates: readonly Candidate[], committee: readonly number[], s: Scenario, keyOf: KeyOf): { input: RoundInput; ctx: EngineContext } {
  return {
    input: {
      round: view.round, prev: view.prev, committee: committee.map(deviceId),
      candidates: candidates.map((c) => ({ id: deviceId(c.index), n: c.n, params: c.params, updateHash: c.updateHash })),
    },
    ctx: { keyOf, ...scenarioRule(s) },
  };
}

/** Runs one engine decision over simulator candidates.
 *  @example decideWith(s, keyOf, { engine: fedavgEngine, view, candidates, committee: [], evidence: null }) */
export function decideWith<E>(s: Scenario, keyOf: KeyOf, r: EngineRound<E>): AdaptedDecision {
  const { input, ctx } = engineInput(r.view, r.candidates, r.committee, s, keyOf);
  const ev = typeof r.evidence === 'function' ? (r.evidence as (i: RoundInput, c: EngineContext) => E)(input, ctx) : r.evidence;
  const d = r.engine.decide(input, ev, ctx);
  const keep = new Set(d.accepted.map(deviceIndex));
  const scores = new Map<number, number>();
  for (const [id, v] of d.scores) scores.set(deviceIndex(id), v);
  const rejected: Rejected[] = r.candidates.filter((c) => !keep.has(c.index)).map((c) => ({
    index: c.index, ...(r.why?.(c, d) ?? { reason: `${r.engine.name}_rejected`, detail: `not accepted by the ${r.engine.name} engine` }),
  }));
  return {
    accepted: r.candidates.filter((c) => keep.has(c.index)), rejected, params: d.params ?? null, scores,
    nextCommittee: d.nextCommittee.map(deviceIndex).sort((a, b) => a - b), leader: d.leader,
  };
}

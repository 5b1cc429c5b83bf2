// One interface for the round consensus engines of issue 6 (STYLE §2): BFLC committee
// (002), Proof of training Quality (001 §III-D), PoW with fork rules (004 §III-C/§IV) and
// plain FedAvg. An engine is a pure function from a round's candidate updates plus the
// engine's evidence (signed committee scores, signed quality reports, a mined nonce) to a
// decision: which updates count, their scores, the new integer model and the next committee.
// Every gateway recomputes `decide` from the same inputs, so the decision — and the model
// bytes it yields — is byte-identical everywhere; a proposal whose model hash differs from
// the recomputation is refused (gateway/cluster). Evidence is gathered at the I/O edge.
import type { CborValue } from '../../protocol/cbor.js';
import type { AggregationRule, RuleOptions } from '../aggregate/index.js';
export { paramsDigest } from '../../protocol/poq.js';

import type { EngineName } from '../../protocol/task.js';
export { ENGINE_NAMES, type EngineName } from '../../protocol/task.js';

/** One admitted (signature-checked) device update competing in a round. */
export interface Candidate {
  id: string;               // device id
  n: number;                // declared sample count |d_i|
  params: Int32Array;       // integer master parameters (model-blob.ts)
  updateHash: Uint8Array;   // SHA-256 of the update's model blob
  capability?: number;      // declared capability (e.g. bandwidth kbit/s), for multi-factor election
}

/** What every node knows about the round before evidence arrives. */
export interface RoundInput {
  round: number;
  /** Hash of the parent block: seeds random election, binds PoW work to the chain. */
  prev: Uint8Array;
  /** Candidates in canonical (device id) order. */
  candidates: readonly Candidate[];
  /** The round's committee (BFLC members, PoQ parties), empty when the engine has none. */
  committee: readonly string[];
  /** The round's global parameters (what trainers trained from), when the engine needs them
   *  (the committee's direction trust, gateway/consensus/trust.ts). */
  base?: Int32Array;
  /** Each device's direction-trust reputation carried across rounds (root-trust.ts), as the
   *  chain's last model record holds it; absent or empty before the first. */
  trust?: ReadonlyMap<string, number>;
}

/** Keys and the task's aggregation rule: injected so decisions stay pure. */
export interface EngineContext {
  /** Raw Ed25519 public key of a registered identity (device or gateway), or undefined. */
  keyOf(id: string): Uint8Array | undefined;
  rule: AggregationRule;
  ruleOpts?: RuleOptions;
  /** The gateways' root update for a round (root-trust.ts): the task's own training on the
   *  gateways' root dataset, starting from `base`. Deterministic: same bytes on every gateway. */
  reference?(base: Int32Array, round: number): Int32Array;
}

/** An engine's verdict on a round. */
export interface Decision {
  /** Device ids whose updates count, canonical order. */
  accepted: string[];
  /** Integer scores (ppm) per candidate id, as recorded in update records. */
  scores: Map<string, number>;
  /** New global parameters, or undefined when nothing was accepted (model unchanged). */
  params: Int32Array | undefined;
  /** Committee for the next round (empty for engines without one). */
  nextCommittee: string[];
  /** Engine-specific leader or miner, if any (PoQ leader, PoW miner). */
  leader?: string;
  /** The reputation after this round (recorded in the model record); undefined = unchanged. */
  trust?: Map<string, number>;
}

/** Evidence failed a check (bad signature, non-member, wrong round, bad nonce ...). */
export class ConsensusError extends Error {
  constructor(readonly reason: string, detail: string) {
    super(`${reason}: ${detail}`);
    this.name = 'ConsensusError';
  }
}

/** What an engine needs from the round driver, declared instead of switched on by name. */
export interface EngineCaps {
  /** Who builds a round's block: the round's leader gateway, or every gateway as a miner (PoW). */
  readonly proposer: 'leader' | 'miner';
  /** The device committee: none; 'separate' (members score and do not train, 002 §III); or
   *  'parties' (every party trains and is a member, 001 §III-D). */
  readonly committee: 'none' | 'separate' | 'parties';
  /** Where the evidence comes from: nowhere, the devices (score sheets, quality reports), or
   *  the proposer's own work (a PoW nonce). */
  readonly evidence: 'none' | 'devices' | 'work';
  /** A separate committee whose members also send a (reference) update each round. */
  readonly membersTrain?: boolean;
}

/** Why a candidate the engine did not accept was left out (the round summary's rejection). */
export interface Explanation { reason: string; detail: string }

/** A consensus engine over evidence of type E.
 *  @example const d = committeeEngine(cfg).decide(input, sheets, ctx) */
export interface ConsensusEngine<E = unknown> {
  readonly name: EngineName;
  readonly caps: EngineCaps;
  /** The engine's integer/short-text configuration, as recorded in the genesis (consensus/registry.ts). */
  readonly config: Readonly<Record<string, number | string>>;
  /** Header consensus fields the evidence contributes (PoW: nonce and difficulty). */
  headerFields?(evidence: E): { nonce?: number; difficulty?: number };
  /** Reason for leaving candidate `id` out of decision `d` (default `<engine>_rejected`). */
  explain?(id: string, d: Decision): Explanation;
  /** Pure decision; throws ConsensusError when the evidence does not verify. */
  decide(input: RoundInput, evidence: E, ctx: EngineContext): Decision;
  /** Evidence as a canonical CBOR value (for proposals on the wire and round certificates). */
  encodeEvidence(e: E): CborValue;
  /** Evidence from an untrusted decoded CBOR value. Throws ConsensusError('malformed'). */
  decodeEvidence(v: unknown): E;
}

/** Candidates sorted by device id (the order every rule sees). */
export function canonicalOrder<C extends { id: string }>(cs: readonly C[]): C[] {
  return [...cs].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Aggregates the accepted candidates with the task's rule (undefined when none). */
export function aggregateAccepted(cands: readonly Candidate[], accepted: readonly string[], scores: Map<string, number>, ctx: EngineContext): Int32Array | undefined {
  const keep = new Set(accepted);
  const us = canonicalOrder(cands).filter((c) => keep.has(c.id)).map((c) => ({ params: c.params, n: c.n, score: scores.get(c.id) }));
  return us.length === 0 ? undefined : ctx.rule(us, ctx.ruleOpts);
}


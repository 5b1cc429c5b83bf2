// The ports the round driver runs the machine over (STYLE §4): Transport and Clock come from
// protocol/; Finality and EvidenceSource are defined here. Every deployment is a choice of
// implementations: one gateway = LocalFinality; a cluster node = BftFinality; the simulator
// = LocalFinality over an in-memory or on-disk ledger with the fleet's evidence source.
import type { Block } from '../ledger/index.js';
import type { Decision, RoundInput } from '../consensus/engine.js';
import type { RoundContent } from './content.js';
import type { ProposalCheck, RoundConfig, RoundEffect, RoundState } from './machine.js';
import type { Clock } from '../../protocol/clock.js';
import type { Transport } from '../../protocol/transport.js';

export type { Clock, Transport };

/** What the driver offers a Finality implementation. */
export interface FinalityHost {
  readonly cfg: RoundConfig;
  readonly transport: Transport;
  readonly clock: Clock;
  /** The machine's current state (read-only). */
  state(): RoundState;
  /** Gathers the current round's evidence, then lets the machine decide and propose. */
  gather(): void;
  /** Abandons evidence being gathered (a rival's valid block arrived: stop mining). */
  abortGather(): void;
  /** A follower's check of a peer's block against the machine's state (machine.checkProposal). */
  check(p: { pool: readonly Uint8Array[]; committee: readonly string[]; evidence: unknown; block: Block }): ProposalCheck;
  /** The round's block is final (and already on this node's ledger). */
  final(f: { block: Block; decision: Decision; content?: RoundContent; pool?: readonly string[]; view: number; cert?: readonly { id: string; sig: Uint8Array }[] }): void;
  /** Blocks from peers moved the head: restart at the chain's round with its model and committee. */
  synced(h: { head: RoundState['head']; round: number; model: Uint8Array; committee: readonly string[]; trust?: ReadonlyMap<string, number> }): void;
  log(level: 'info' | 'warn', event: string, x?: Record<string, unknown>): void;
}

/** Makes a round's block final: a local append (one gateway) or BFT among gateways. */
export interface Finality {
  /** Topic filters this finality listens on, and its handler for them. */
  readonly topics: string[];
  onMessage?(topic: string, payload: Uint8Array): void | Promise<void>;
  start(host: FinalityHost): void;
  /** The machine closed collection for `input.round`. */
  onClosed(input: RoundInput): void;
  /** The machine decided: seal `p.content` into a block and finalize it. */
  propose(p: Extract<RoundEffect, { type: 'propose' }>): void;
  /** An update was admitted (a follower may now be able to check a pending proposal). */
  onAdmitted?(): void;
  stop(): void;
  /** Pending ledger work finishes (called before the ledger closes). */
  drain?(): Promise<void>;
}

/** Gathers a round's engine evidence: device score sheets or quality reports (in-process or
 *  over MQTT), or the proposer's proof of work. `signal` aborts (a rival block arrived). */
export interface EvidenceSource {
  readonly topics?: string[];
  onMessage?(topic: string, payload: Uint8Array): void;
  collect(input: RoundInput, signal: AbortSignal): Promise<unknown>;
}

/** No evidence: the engine decides from the updates alone (fedavg). */
export const noEvidence: EvidenceSource = { collect: async () => null };

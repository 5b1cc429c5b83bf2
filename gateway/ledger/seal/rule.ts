// One interface for the ledger's block-seal rules (STYLE §2): who may sign a block and which
// approvals or work make it valid. The rule is fixed by the genesis parameter `consensus`
// ("poa" default, "quorum", "work"). Not to be confused with the round consensus engines of
// gateway/consensus/, which decide a round's content; `cons.engine` names that engine.
import type { StateReader } from '../state.js';
import type { Header } from '../header.js';
import type { Block } from '../block.js';
import type { KnownSig } from '../signer.js';

/** Header fields and seals an engine judges (transactions are not needed). */
export type SealedHeader = Omit<Block, 'txs'>;

export interface SealRule {
  name: string;
  /** Fills engine fields before signing (PoW mines its nonce). Pure. */
  seal?(header: Header): Header;
  /** Pure check that the proposer may propose and the approvals suffice, against the state
   *  before the block; signatures `known` holds (this gateway's own verdicts) are not verified
   *  again. Throws LedgerError('bad_consensus' | 'not_authorized' | ...). */
  check(b: SealedHeader, pre: StateReader, known?: KnownSig): void;
}

/** Reads an integer chain parameter from state (set in genesis). */
export function numParam(s: StateReader, key: string, dflt: number): number {
  const v = s.get(`param/${key}`);
  return typeof v === 'number' ? v : dflt;
}

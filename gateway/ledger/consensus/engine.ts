// One interface for consensus engines (STYLE §2). The engine is fixed by the genesis parameter
// `consensus` (default "poa"); the header's `cons.engine` is only a label for humans.
import type { StateReader } from '../state.js';
import type { Header } from '../header.js';
import type { Block } from '../block.js';

/** Header fields and seals an engine judges (transactions are not needed). */
export type SealedHeader = Omit<Block, 'txs'>;

export interface ConsensusEngine {
  name: string;
  /** Fills engine fields before signing (PoW mines its nonce). Pure. */
  seal?(header: Header): Header;
  /** Pure check that the proposer may propose and the approvals suffice, against the state
   *  before the block. Throws LedgerError('bad_consensus' | 'not_authorized' | ...). */
  check(b: SealedHeader, pre: StateReader): void;
}

/** Reads an integer chain parameter from state (set in genesis). */
export function numParam(s: StateReader, key: string, dflt: number): number {
  const v = s.get(`param/${key}`);
  return typeof v === 'number' ? v : dflt;
}

// Engine table: the genesis parameter `consensus` picks one.
import { LedgerError } from '../errors.js';
import type { StateReader } from '../state.js';
import type { ConsensusEngine } from './engine.js';
import { poaEngine } from './poa.js';
import { committeeEngine } from './committee.js';
import { powEngine } from './pow.js';

export type { ConsensusEngine, SealedHeader } from './engine.js';
export { committeeQuorum } from './committee.js';

const ENGINES: Record<string, ConsensusEngine> = { poa: poaEngine, committee: committeeEngine, pow: powEngine };

/** The chain's engine from its genesis parameters. Throws LedgerError('bad_consensus'). */
export function engineFor(s: StateReader): ConsensusEngine {
  const name = s.get('param/consensus') ?? 'poa';
  const e = typeof name === 'string' ? ENGINES[name] : undefined;
  if (!e) throw new LedgerError('bad_consensus', `unknown consensus engine ${String(name)}`);
  return e;
}

// Engine table: the genesis parameter `consensus` picks one.
import { LedgerError } from '../errors.js';
import type { StateReader } from '../state.js';
import type { SealRule } from './rule.js';
import { poaSeal } from './poa.js';
import { quorumSeal } from './quorum.js';
import { workSeal } from './work.js';

export type { SealRule, SealedHeader } from './rule.js';
export { finalityQuorum } from './quorum.js';

const ENGINES: Record<string, SealRule> = { poa: poaSeal, quorum: quorumSeal, work: workSeal };

/** The chain's engine from its genesis parameters. Throws LedgerError('bad_consensus'). */
export function sealRuleFor(s: StateReader): SealRule {
  const name = s.get('param/consensus') ?? 'poa';
  const e = typeof name === 'string' ? ENGINES[name] : undefined;
  if (!e) throw new LedgerError('bad_consensus', `unknown consensus engine ${String(name)}`);
  return e;
}

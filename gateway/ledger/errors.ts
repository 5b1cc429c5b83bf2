// Typed rejections for everything the ledger refuses. `reason` is a stable machine-readable
// code (tests and the CLI match on it); the message says what exactly was wrong.

/** Why the ledger refused a block, transaction, proof or payload. */
export type LedgerReason =
  | 'too_large' | 'truncated' | 'malformed' | 'non_canonical'
  | 'bad_signature' | 'unknown_author' | 'not_authorized' | 'revoked' | 'blacklisted'
  | 'replay' | 'duplicate' | 'not_found' | 'stale_round' | 'layout'
  | 'bad_height' | 'bad_prev' | 'bad_time' | 'bad_tx_root' | 'bad_state_root' | 'bad_chain'
  | 'bad_consensus' | 'insufficient_funds' | 'negative_amount' | 'no_deposit' | 'task_closed' | 'bad_split'
  | 'bad_selection' | 'no_permit' | 'bad_supply' | 'genesis_mismatch' | 'pruned' | 'bad_payload' | 'bad_proof' | 'over_budget';

/** Error thrown by every ledger rule. @example throw new LedgerError('replay', 'ctr 3 <= 5') */
export class LedgerError extends Error {
  constructor(readonly reason: LedgerReason, readonly detail: string) {
    super(`${reason}: ${detail}`);
    this.name = 'LedgerError';
  }
}

/** Throws LedgerError(reason, message) unless `cond` holds. */
export function check(cond: unknown, reason: LedgerReason, message: string): asserts cond {
  if (!cond) throw new LedgerError(reason, message);
}

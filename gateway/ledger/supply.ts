// The token invariant (issue 13 "Token accounting"): supply = balances + escrow + pools, where
// escrow is every stake still locked in a bid and pools are the tasks' undistributed rewards.
// `supply` is set in genesis (Σ balances) and only a burn lowers it. Checked per block on the
// changed keys (validate.ts) and in full over the state (verify.ts, tests).
import { LedgerError } from './errors.js';
import { K, type BidRecord, type TaskRecord } from './records.js';
import type { StateReader, StateValue } from './state.js';

/** The parts of the invariant. `ok` when supply = balances + escrow + pools. */
export interface SupplyReport { supply: number; balances: number; escrow: number; pools: number; ok: boolean }

const ESCROWED = new Set(['bid', 'won']);

/** What one state entry contributes to [balances, escrow, pools]. */
function contribution(key: string, v: StateValue | undefined | null): [number, number, number] {
  if (v === undefined || v === null) return [0, 0, 0];
  if (key.startsWith('bal/')) return [v as number, 0, 0];
  if (key.startsWith('bid/')) { const b = v as unknown as BidRecord; return [0, ESCROWED.has(b.status) ? b.stake : 0, 0]; }
  if (key.startsWith('task/')) return [0, 0, (v as unknown as TaskRecord).pool];
  return [0, 0, 0];
}

/** Full check over every entry (the `ledger verify` and test check). */
export function supplyReport(entries: Iterable<[string, StateValue]>): SupplyReport {
  let supply = 0, balances = 0, escrow = 0, pools = 0;
  for (const [k, v] of entries) {
    if (k === K.supply) { supply = v as number; continue; }
    const [b, e, p] = contribution(k, v);
    balances += b; escrow += e; pools += p;
  }
  return { supply, balances, escrow, pools, ok: supply === balances + escrow + pools };
}

/** Throws LedgerError('bad_supply') unless the full state satisfies the invariant. */
export function checkSupply(entries: Iterable<[string, StateValue]>): SupplyReport {
  const r = supplyReport(entries);
  if (!r.ok) throw new LedgerError('bad_supply', `supply ${r.supply} ≠ balances ${r.balances} + escrow ${r.escrow} + pools ${r.pools}`);
  return r;
}

/** Incremental check for one block: the tokens the changes add to balances, escrow and pools
 *  must equal the change of `supply` (0 unless something was burned). O(changes).
 *  Throws LedgerError('bad_supply'). */
export function checkSupplyDelta(pre: StateReader, changes: Map<string, StateValue | null>): void {
  let delta = 0, dSupply = 0;
  for (const [k, v] of changes) {
    if (k === K.supply) { dSupply = ((v as number | null) ?? 0) - ((pre.get(k) as number | undefined) ?? 0); continue; }
    const after = contribution(k, v), before = contribution(k, pre.get(k));
    delta += after[0] + after[1] + after[2] - before[0] - before[1] - before[2];
  }
  if (delta !== dSupply) throw new LedgerError('bad_supply', `a block moves ${delta} tokens into existence while supply changes by ${dSupply}`);
}

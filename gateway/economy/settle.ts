// Settling a task's deposits at its end (seed 004 (BC-FL) §III-B step 7): winners whose results
// verified get their stake back; winners the consensus engine rejected, or that the detectors
// caught as lazy copies or free riders, lose it, and (when the task says so) their key is revoked.
// Pure over the round summaries every gateway produced; the transactions it implies are
// ordinary manager transactions (refund, slash, blacklist, task-close) that the ledger checks.
import type { RoundSummary } from '../round/summary.js';
import { refundTx, slashTx, blacklistTx, taskCloseTx, type Signer, type Tx, type BidRecord } from '../ledger/index.js';

/** Rejection reasons that forfeit a winner's deposit: the engines' (committee score, an engine's
 *  `<engine>_rejected`), and the 004 §IV-A detectors (lazy copy, free rider). Transport and
 *  admission failures (late, bad signature, replay…) do not: they prove nothing about the work. */
export const SLASHING_REASONS: ReadonlySet<string> = new Set(['committee_score', 'copied_update', 'no_progress', 'fedavg_rejected', 'committee_rejected', 'poq_rejected', 'pow_rejected']);

/** One winner's deposit outcome and why. */
export interface Settlement { id: string; outcome: 'refund' | 'slash'; reason: string; accepted: number }

/** The outcome for each winner over the task's rounds. A winner is slashed at its first
 *  slashing rejection; otherwise refunded (also when it sent nothing: absence is not fraud). */
export function settle(winners: readonly string[], rounds: readonly Pick<RoundSummary, 'round' | 'accepted' | 'rejected'>[]): Settlement[] {
  return [...winners].sort().map((id) => {
    const accepted = rounds.filter((r) => r.accepted.includes(id)).length;
    for (const r of rounds) {
      const hit = r.rejected.find((x) => x.device === id && SLASHING_REASONS.has(x.reason));
      if (hit) return { id, outcome: 'slash', reason: `round ${r.round}: ${hit.reason}`, accepted };
    }
    return { id, outcome: 'refund', reason: accepted ? `verified in ${accepted} round(s)` : 'no result, no fraud', accepted };
  });
}

/** The transactions of a settlement: refund or slash (the whole remaining stake) per winner,
 *  a revocation per slashed winner when `revoke` (and the key is still active), then task-close. */
export function settlementTxs(manager: Signer, task: string, s: readonly Settlement[], bid: (id: string) => BidRecord | undefined,
  o: { revoke: boolean; active: (id: string) => boolean }): Tx[] {
  const txs: Tx[] = [];
  for (const x of s) {
    const b = bid(x.id);
    if (!b || b.status !== 'won') continue;
    if (x.outcome === 'refund') txs.push(refundTx(manager, { task, who: x.id, reason: x.reason }));
    else {
      txs.push(slashTx(manager, { task, who: x.id, amount: b.stake, reason: x.reason }));
      if (o.revoke && o.active(x.id)) txs.push(blacklistTx(manager, { target: x.id, status: 'revoked', reason: `slashed on ${task}: ${x.reason}` }));
    }
  }
  txs.push(taskCloseTx(manager, { task }));
  return txs;
}

// Settling a task's deposits at its end (seed 004 (BC-FL) §III-B step 7): winners whose results
// verified get their stake back; winners the consensus engine rejected, or that the detectors
// caught as lazy copies or free riders, lose it, and (when the task says so) their key is revoked.
// Pure over the round summaries every gateway produced; the transactions it implies are
// ordinary manager transactions (refund, slash, blacklist, task-close) that the ledger checks.
import type { RoundSummary } from '../round/summary.js';
import { refundTx, slashTx, blacklistTx, taskCloseTx, type Signer, type Tx, type BidRecord } from '../ledger/index.js';

/** Detector hits (004 §IV-A): the update is the global model unchanged (free rider) or another
 *  board's update (lazy copy). One proves the fraud: the deposit is forfeited. */
export const DETECTOR_REASONS: ReadonlySet<string> = new Set(['copied_update', 'no_progress']);
/** Consensus-engine rejections (002 committee score, an engine's `<engine>_rejected`). A score
 *  below the threshold can also hit an honest board with little or skewed data in one round, so
 *  these forfeit the deposit only when they are at least half of the rounds the winner was
 *  heard in. Transport and admission failures (late, bad signature, replay…) prove nothing. */
export const ENGINE_REASONS: ReadonlySet<string> = new Set(['committee_score', 'fedavg_rejected', 'committee_rejected', 'poq_rejected', 'pow_rejected']);

/** One winner's deposit outcome and why. */
export interface Settlement { id: string; outcome: 'refund' | 'slash'; reason: string; accepted: number }

/** The outcome for each winner over the task's rounds: slashed at its first detector hit, or
 *  when engine rejections are ≥ half of its accepted + engine-rejected rounds; else refunded
 *  (also when it sent nothing: absence is not fraud). */
export function settle(winners: readonly string[], rounds: readonly Pick<RoundSummary, 'round' | 'accepted' | 'rejected'>[]): Settlement[] {
  return [...winners].sort().map((id) => {
    const accepted = rounds.filter((r) => r.accepted.includes(id)).length;
    let engine = 0, first = '';
    for (const r of rounds) {
      const hit = r.rejected.find((x) => x.device === id && DETECTOR_REASONS.has(x.reason));
      if (hit) return { id, outcome: 'slash', reason: `round ${r.round}: ${hit.reason}`, accepted };
      const e = r.rejected.find((x) => x.device === id && ENGINE_REASONS.has(x.reason));
      if (e) { engine++; first ||= `round ${r.round}: ${e.reason}`; }
    }
    if (engine > 0 && 2 * engine >= engine + accepted) return { id, outcome: 'slash', reason: `${engine} of ${engine + accepted} rounds rejected (first ${first})`, accepted };
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

// The demo's rewards table, read back from the chain's state after the task closed: per board
// its accepted updates, its share of the run's positive Shapley value (003 tasks), its
// reputation Z (003 standing), the tokens it earned and what happened to its deposit.
import { reputationZ, type StandingRecord, type TaskRecord, type BidRecord } from '../../gateway/ledger/index.js';
import type { StateValue } from '../../gateway/ledger/state.js';
import type { RoundSummary } from '../../gateway/round/summary.js';

/** One board's line. `shapleyPpm` / `reputation` are undefined for a task paying by 004. */
export interface RewardRow {
  id: string; accepted: number; shapleyPpm?: number; reputation?: number; barred: boolean;
  payout: number; deposit: 'refunded' | 'slashed' | 'lost (refunded)' | 'escrowed' | 'none';
}

/** Rows for every bidder of `task` over the final state, with `start` the genesis balances and
 *  `fee` the permission fee each bidder paid. payout = final − start + fee + forfeited stake. */
export function rewardRows(entries: Iterable<[string, StateValue]>, task: string, summaries: readonly RoundSummary[], start: Record<string, number>, fee: number): RewardRow[] {
  const state = new Map(entries);
  const t = state.get(`task/${task}`) as unknown as TaskRecord | undefined;
  if (!t) return [];
  const positive = new Map<string, bigint>();
  let total = 0n;
  for (const [k, v] of state) {
    if (!k.startsWith(`contrib/${task}/`)) continue;
    for (const e of (v as unknown as { phi: { to: string; phi: number }[] }).phi) {
      if (e.phi <= 0) continue;
      positive.set(e.to, (positive.get(e.to) ?? 0n) + BigInt(e.phi)); total += BigInt(e.phi);
    }
  }
  return [...t.bidders].sort().map((id) => {
    const bid = state.get(`bid/${task}/${id}`) as unknown as BidRecord;
    const st = state.get(`standing/${task}/${id}`) as unknown as StandingRecord | undefined;
    const forfeited = bid.status === 'forfeited' ? t.deposit : 0;
    const balance = (state.get(`bal/${id}`) as number | undefined) ?? 0;
    const deposit = bid.status === 'returned' ? 'refunded' : bid.status === 'forfeited' ? 'slashed' : bid.status === 'lost' ? 'lost (refunded)' : 'escrowed';
    return {
      id, accepted: summaries.filter((s) => s.accepted.includes(id)).length,
      shapleyPpm: t.incentive ? (total > 0n ? Number(((positive.get(id) ?? 0n) * 1_000_000n) / total) : 0) : undefined,
      reputation: t.incentive ? (st ? reputationZ(t.incentive.rep, st) : t.incentive.rep.w0) : undefined,
      barred: st?.barred ?? false,
      payout: balance - (start[id] ?? 0) + fee + forfeited, deposit,
    };
  });
}

/** The table as text lines (the demo prints them after the last round). */
export function rewardsTable(rows: readonly RewardRow[]): string[] {
  const head = ['device', 'accepted', 'Shapley share', 'reputation', 'payout', 'deposit'];
  const cells = rows.map((r) => [
    r.id, String(r.accepted), r.shapleyPpm === undefined ? '-' : `${(r.shapleyPpm / 10_000).toFixed(1)} %`,
    r.reputation === undefined ? '-' : `${r.reputation}${r.barred ? ' (barred)' : ''}`, String(r.payout), r.deposit,
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => '  ' + c.map((x, i) => (i === 0 || i === 5 ? x.padEnd(w[i]!) : x.padStart(w[i]!))).join('  ').trimEnd();
  return [line(head), ...cells.map(line)];
}

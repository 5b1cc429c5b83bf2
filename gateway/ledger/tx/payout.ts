// A round's payout from a task's pool (seed 004 (BC-FL) §III-B step 7: "training nodes are
// rewarded by data size and quality, miners for mining and aggregation"; seed 003's contract
// ratios). `amount` leaves the pool and splits by the task's ratios into the trainers' part and
// the miner's fee; the trainers' part splits by weight = declared data size (the bid) × quality
// (the accepted update's score, ppm). Both splits are largest-remainder (split.ts), so exactly
// `amount` leaves the pool. Winners only, each recipient once per round. Manager-authored.
import { LedgerError } from '../errors.js';
import { onlyKeys, uint, amount, str, list, asMap, MAX_LIST, MAX_TEXT } from '../fields.js';
import { K, put, requireTask, getBid, addBalance, identity } from '../records.js';
import { largestRemainder, PPM } from '../split.js';
import type { TxKind } from './kind.js';

/** One trainer's accepted work in the round: `score` is its quality in ppm (0..1,000,000). */
export interface PayoutShare { to: string; score: number }
export interface PayoutBody { task: string; round: number; amount: number; miner: string; shares: PayoutShare[]; reason: string }

/** The amounts a payout moves, in the order [miner, ...shares]. Pure; the rule and any caller
 *  that wants to show the table compute it the same way. Throws LedgerError('bad_split'). */
export function payoutParts(amt: number, split: { trainers: number; miner: number }, sizes: readonly number[], scores: readonly number[]): { miner: number; trainers: number[]; unpaid: number } {
  const [trainersPart, minerPart] = largestRemainder(amt, [split.trainers, split.miner]) as [number, number];
  const weights = sizes.map((n, i) => BigInt(n) * BigInt(scores[i]!));
  if (weights.length === 0 || weights.every((w) => w === 0n)) return { miner: minerPart, trainers: weights.map(() => 0), unpaid: trainersPart };
  return { miner: minerPart, trainers: largestRemainder(trainersPart, weights), unpaid: 0 };
}

export const payoutKind: TxKind<PayoutBody> = {
  type: 'payout',
  author: 'manager',
  decode(m) {
    onlyKeys(m, ['task', 'round', 'amount', 'miner', 'shares', 'reason'], 'payout');
    const shares = list(m, 'shares', (v) => {
      const e = asMap(v, 'share');
      onlyKeys(e, ['to', 'score'], 'share');
      const score = uint(e, 'score');
      if (score > PPM) throw new LedgerError('malformed', `score ${score} above ${PPM} ppm`);
      return { to: str(e, 'to'), score };
    }, MAX_LIST);
    for (let i = 1; i < shares.length; i++) if (!(shares[i - 1]!.to < shares[i]!.to)) throw new LedgerError('malformed', 'shares must be sorted by recipient, without repeats');
    return { task: str(m, 'task'), round: uint(m, 'round'), amount: amount(m, 'amount'), miner: str(m, 'miner'), shares, reason: str(m, 'reason', MAX_TEXT, 0) };
  },
  encode: (b) => ({ ...b, shares: b.shares.map((x) => ({ to: x.to, score: x.score })) }),
  apply(s, tx, ctx) {
    const b = tx.body;
    const task = requireTask(s, b.task);
    if (task.status !== 'selected') throw new LedgerError('task_closed', `task ${b.task} is ${task.status}; payouts need selected winners`);
    if (task.pool < b.amount) throw new LedgerError('insufficient_funds', `pool ${task.pool} < ${b.amount}`);
    if (!identity(s, b.miner)) throw new LedgerError('unknown_author', `miner ${b.miner} is unknown`);
    if (s.get(K.paid(b.task, b.round, '')) !== undefined) throw new LedgerError('duplicate', `round ${b.round} of ${b.task} was already paid out`);
    const sizes = b.shares.map((x) => {
      const bid = getBid(s, b.task, x.to);
      if (!bid || (bid.status !== 'won' && bid.status !== 'returned')) throw new LedgerError('not_authorized', `${x.to} is not a winner of ${b.task} in good standing`);
      return bid.size;
    });
    const parts = payoutParts(b.amount, task.split, sizes, b.shares.map((x) => x.score));
    s.set(K.paid(b.task, b.round, ''), ctx.height);
    const pay = (to: string, amt: number) => {
      if (s.get(K.paid(b.task, b.round, to)) !== undefined) throw new LedgerError('duplicate', `${to} was already paid for round ${b.round} of ${b.task}`);
      s.set(K.paid(b.task, b.round, to), ctx.height);
      addBalance(s, to, amt);
    };
    pay(b.miner, parts.miner);
    b.shares.forEach((x, i) => pay(x.to, parts.trainers[i]!));
    put(s, K.task(b.task), { ...task, pool: task.pool - b.amount + parts.unpaid });
  },
};

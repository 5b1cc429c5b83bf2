// Exact integer splits (issue 13: "exact to the last token"). Every payout that divides an
// amount between parties uses the largest-remainder method (Hamilton), so the parts always sum
// to the amount and every gateway computes the same parts from the same integers.
import { LedgerError } from './errors.js';

/** One million: ratios (split shares, scores) are parts per million. */
export const PPM = 1_000_000;

/** Splits `amount` in proportion to `weights` (non-negative safe integers, at least one > 0):
 *  part_i = ⌊amount·w_i / W⌋, then the leftover units go one each to the largest remainders
 *  (amount·w_i mod W), ties to the lower index. Σ parts = amount exactly. BigInt inside, so
 *  amount·w_i cannot lose precision. Throws LedgerError('bad_split') on invalid weights.
 *  @example largestRemainder(10, [1, 1, 1]) // [4, 3, 3] */
export function largestRemainder(amount: number, weights: readonly (number | bigint)[]): number[] {
  if (!Number.isSafeInteger(amount) || amount < 0) throw new LedgerError('negative_amount', `split amount ${amount}`);
  if (weights.length === 0) throw new LedgerError('bad_split', 'nothing to split between');
  let total = 0n;
  const ws = weights.map((w) => {
    if (typeof w === 'bigint' ? w < 0n : !Number.isSafeInteger(w) || w < 0) throw new LedgerError('bad_split', `weight ${w} is not an unsigned integer`);
    return BigInt(w);
  });
  for (const w of ws) total += w;
  if (total === 0n) throw new LedgerError('bad_split', 'weights sum to zero');
  const a = BigInt(amount);
  const parts = ws.map((w) => (a * w) / total);
  const rems = ws.map((w, i) => ({ i, r: (a * w) % total }));
  let left = a - parts.reduce((x, y) => x + y, 0n);
  rems.sort((x, y) => (x.r === y.r ? x.i - y.i : x.r > y.r ? -1 : 1));
  for (let k = 0; left > 0n; k++, left--) parts[rems[k]!.i]! += 1n;
  return parts.map(Number);
}

/** Checks that split ratios in ppm are unsigned integers summing to exactly PPM.
 *  Throws LedgerError('bad_split'). */
export function checkRatios(ratios: Record<string, number>): void {
  let sum = 0;
  for (const [k, v] of Object.entries(ratios)) {
    if (!Number.isSafeInteger(v) || v < 0) throw new LedgerError('bad_split', `ratio ${k} = ${v} is not an unsigned integer`);
    sum += v;
  }
  if (sum !== PPM) throw new LedgerError('bad_split', `split ratios sum to ${sum}, not ${PPM} (ppm)`);
}

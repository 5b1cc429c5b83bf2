// The 003 incentive (seed 003 (Wang et al.) Eq. 3): a round's income P splits by the contract's
// ratios into the data providers' part v(P), the reputation part c(P), the aggregation node's fee
// and the computing center's fee (the seed's three recipients, with its Z_i·c(P) term given its
// own share). Then M_i = φ̂_i·v(P) + Ẑ_i·c(P), where φ̂_i is i's share of the positive Shapley
// values and Ẑ_i its share of the positive reputations of the round's paid participants (the
// seed leaves φ and Z unnormalized; normalizing makes Σ M_i = v(P) + c(P) exactly). Every split
// is largest remainder (split.ts); a part with no positive weight stays in the pool.
import { largestRemainder, checkRatios } from './split.js';

/** The contract's ratios, ppm summing to 1,000,000. */
export interface IncentiveSplit { providers: number; reputation: number; aggregator: number; center: number }

/** The amounts one Eq. 3 payout moves. `paid[i]` = φ part + Z part of participant i. */
export interface IncentiveParts { providers: number[]; reputation: number[]; aggregator: number; center: number; unpaid: number }

/** Splits `amount` by Eq. 3 over participants with Shapley values `phi` and reputations `z`
 *  (any integers; only positive ones earn). Pure; throws LedgerError('bad_split') on bad ratios. */
export function incentiveParts(amount: number, split: IncentiveSplit, phi: readonly number[], z: readonly number[]): IncentiveParts {
  checkRatios({ ...split });
  const [v, c, aggregator, center] = largestRemainder(amount, [split.providers, split.reputation, split.aggregator, split.center]) as [number, number, number, number];
  const part = (total: number, w: readonly number[]): [number[], number] => {
    const pos = w.map((x) => Math.max(0, x));
    return pos.some((x) => x > 0) ? [largestRemainder(total, pos), 0] : [pos.map(() => 0), total];
  };
  const [providers, u1] = part(v, phi), [reputation, u2] = part(c, z);
  return { providers, reputation, aggregator, center, unpaid: u1 + u2 };
}

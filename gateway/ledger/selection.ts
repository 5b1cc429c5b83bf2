// Deterministic winner selection for a task's bids (seed 004 (BC-FL) §III-B, function 2: "the
// contract selects the winners"). The seed leaves the rule open; ours is capability per unit of
// cost, compared exactly by cross-multiplication (no division, no rounding).
import type { BidRecord } from './records.js';

/** A bid as selection sees it. */
export type Candidate = Pick<BidRecord, 'price' | 'capability'> & { id: string };

/** Order of preference: higher capability/price first (a price of 0 counts as infinitely
 *  cheap), then lower price, then higher capability, then id (UTF-16 order). Exact: compares
 *  capability_a·price_b with capability_b·price_a in BigInt. */
export function compareBids(a: Candidate, b: Candidate): number {
  const l = BigInt(a.capability) * BigInt(b.price), r = BigInt(b.capability) * BigInt(a.price);
  if (l !== r) return l > r ? -1 : 1;
  if (a.price !== b.price) return a.price - b.price;
  if (a.capability !== b.capability) return b.capability - a.capability;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The `slots` best bids by `compareBids`, in that order. Pure.
 *  @example selectWinners([{ id: 'a', price: 2, capability: 4 }, { id: 'b', price: 1, capability: 3 }], 1) // ['b'] */
export function selectWinners(bids: readonly Candidate[], slots: number): string[] {
  return [...bids].sort(compareBids).slice(0, Math.max(0, slots)).map((b) => b.id);
}

// BC-FL fork resolution and miner reputation (004 §IV "Cross verification" and "Forking",
// Table II). When rival valid blocks exist, a node picks a branch by the highest miner
// reputation (by blocks produced n/m, rule `reputation`, or by balance over stake s/t, rule
// `stake`) or by the smallest Euclidean distance between the branch's global model and
// the one it computed locally; the longest chain breaks ties (and is the default rule);
// the smallest block hash makes the choice total, so every node picks the same branch.
import { squaredDistance } from '../aggregate/index.js';

export type ForkRule = 'longest' | 'reputation' | 'stake' | 'distance';

/** One block of a branch, from the fork point on. */
export interface BranchBlock { miner: string; hash: Uint8Array; params: Int32Array }
export type Branch = readonly BranchBlock[];

/** Reputation by verification history (004 §IV method 1): blocks produced n over rounds m, ppm. */
export function reputationByBlocks(produced: number, rounds: number): number {
  return rounds <= 0 ? 0 : Math.floor((produced * 1_000_000) / rounds);
}
/** Reputation by reward balance (004 §IV method 2): s/t, ppm. */
export function reputationByStake(s: number, t: number): number {
  return t <= 0 ? 0 : Math.floor((s * 1_000_000) / t);
}

/** Blocks produced by each miner among the given block proposers (for reputationByBlocks). */
export function producedCounts(miners: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const id of miners) m.set(id, (m.get(id) ?? 0) + 1);
  return m;
}

function cmpBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

export interface ForkContext {
  /** Miner reputation, ppm (rule 'reputation'). */
  reputation?(miner: string): number;
  /** Miner reputation by balance over stake s/t, ppm (rule 'stake'). */
  stake?(miner: string): number;
  /** The locally computed aggregate (rule 'distance'). */
  local?: Int32Array;
}

/** Index of the branch to follow. Throws RangeError without branches or without the
 *  context the rule needs.
 *  @example chooseBranch([a, b], 'distance', { local }) */
export function chooseBranch(branches: readonly Branch[], rule: ForkRule, ctx: ForkContext = {}): number {
  if (branches.length === 0 || branches.some((b) => b.length === 0)) throw new RangeError('chooseBranch needs non-empty branches');
  if (rule === 'reputation' && !ctx.reputation) throw new RangeError('reputation rule needs reputations');
  if (rule === 'stake' && !ctx.stake) throw new RangeError('stake rule needs stake reputations');
  if (rule === 'distance' && !ctx.local) throw new RangeError('distance rule needs the local aggregate');
  // Primary key per rule (larger is better), then length, then smallest tip hash.
  const key = (b: Branch): bigint => {
    if (rule === 'reputation') return BigInt(ctx.reputation!(b[0].miner));
    if (rule === 'stake') return BigInt(ctx.stake!(b[0].miner));
    if (rule === 'distance') return -squaredDistance(b[0].params, ctx.local!);
    return 0n;
  };
  let best = 0;
  for (let i = 1; i < branches.length; i++) {
    const a = branches[i], w = branches[best];
    const ka = key(a), kw = key(w);
    if (ka > kw || (ka === kw && (a.length > w.length || (a.length === w.length && cmpBytes(a[a.length - 1].hash, w[w.length - 1].hash) < 0)))) best = i;
  }
  return best;
}

// BFT finality among super nodes (issue 6 §4; 002 runs on FISCO BCOS, whose PBFT gives the
// same guarantee): n = 3f+1 gateways, a block is final with approvals of ≥ 2f+1 of them
// (the ledger's committee quorum ⌈2n/3⌉, checked again on import). An honest gateway signs at
// most one block per height, so two quorums for different blocks would need ≥ f+1 gateways to
// sign both — which leaves signed, verifiable evidence. Pure bookkeeping; no I/O.
import { approvalSigningBytes } from '../ledger/block.js';
import { finalityQuorum } from '../ledger/seal/index.js';
export { finalityQuorum };
import { verifySig } from '../ledger/signer.js';
import { bytesEqual, toHex } from '../../protocol/bytes.js';

/** Faults tolerated among n gateways. */
export const faultsTolerated = (n: number): number => Math.floor((n - 1) / 3);

/** A gateway's approval of a block hash at a height (the same signature the ledger stores). */
export interface Vote { height: number; hash: Uint8Array; id: string; sig: Uint8Array }

/** Two signatures by one gateway over different blocks at one height. `kind` says whether they
 *  were block proposals (proposer signatures) or approvals. */
export interface Equivocation { id: string; height: number; kind: 'approve' | 'propose'; a: { hash: Uint8Array; sig: Uint8Array }; b: { hash: Uint8Array; sig: Uint8Array } }

/** Verifies equivocation evidence against the offender's key: both signatures valid, hashes differ. */
export function checkEquivocation(e: Equivocation, key: Uint8Array, signingBytes: (hash: Uint8Array) => Uint8Array = approvalSigningBytes): boolean {
  return !bytesEqual(e.a.hash, e.b.hash) && verifySig(key, signingBytes(e.a.hash), e.a.sig) && verifySig(key, signingBytes(e.b.hash), e.b.sig);
}

export type VoteResult = { kind: 'new' } | { kind: 'duplicate' } | { kind: 'invalid' } | { kind: 'equivocation'; evidence: Equivocation };

/** Votes per height, checked against the gateways' keys; detects equivocation.
 *  @example const book = new VoteBook(keys); book.add(vote); book.count(h, hash) >= finalityQuorum(n) */
export class VoteBook {
  private readonly byHeight = new Map<number, Map<string, Vote>>();   // height → voter → first vote
  private readonly tallies = new Map<string, Vote[]>();               // height/hash → votes
  private readonly last = new Map<string, Vote>();                    // voter → highest valid vote (kept across prune)
  constructor(private readonly keys: ReadonlyMap<string, Uint8Array>) {}

  add(v: Vote): VoteResult {
    const key = this.keys.get(v.id);
    if (!key || !verifySig(key, approvalSigningBytes(v.hash), v.sig)) return { kind: 'invalid' };
    let h = this.byHeight.get(v.height);
    if (!h) this.byHeight.set(v.height, (h = new Map()));
    const first = h.get(v.id);
    if (first) {
      if (bytesEqual(first.hash, v.hash)) return { kind: 'duplicate' };
      return { kind: 'equivocation', evidence: { id: v.id, height: v.height, kind: 'approve', a: { hash: first.hash, sig: first.sig }, b: { hash: v.hash, sig: v.sig } } };
    }
    h.set(v.id, v);
    if ((this.last.get(v.id)?.height ?? -1) < v.height) this.last.set(v.id, v);
    const t = `${v.height}/${toHex(v.hash)}`;
    const list = this.tallies.get(t) ?? [];
    list.push(v);
    this.tallies.set(t, list);
    return { kind: 'new' };
  }

  /** Valid first votes for `hash` at `height`. */
  votes(height: number, hash: Uint8Array): Vote[] { return this.tallies.get(`${height}/${toHex(hash)}`) ?? []; }

  /** Every valid first vote at `height` not yet pruned, in arrival order. */
  at(height: number): Vote[] { return [...(this.byHeight.get(height)?.values() ?? [])]; }

  /** The highest-height valid vote seen from `id` (survives pruning: the dashboard's cluster view). */
  latest(id: string): Vote | undefined { return this.last.get(id); }

  /** Forgets heights below `height` (after finality). */
  prune(height: number): void {
    for (const h of this.byHeight.keys()) if (h < height) this.byHeight.delete(h);
    for (const k of this.tallies.keys()) if (Number(k.split('/')[0]) < height) this.tallies.delete(k);
  }
}

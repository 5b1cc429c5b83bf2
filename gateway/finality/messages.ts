// Wire messages among gateways (docs/consensus.md §Cluster protocol), canonical CBOR with
// explicit size limits (STYLE §6). Proposals and votes carry their own signatures (the
// block's proposer signature, the approval signature), so the broker is not trusted.
import { encodeCanonical, decodeBounded, type CborValue } from '../../protocol/cbor.js';

import { MAX_CLUSTER_MESSAGE, MAX_SMALL_MESSAGE, MAX_CANDIDATES, MAX_COMMITTEE, STRICT_VOTE, STRICT_SYNC_REQUEST, STRICT_PROPOSAL, STRICT_SYNC_REPLY } from '../../protocol/limits.js';

export { MAX_CLUSTER_MESSAGE };

/** A leader's (or miner's) proposal: the block, the candidate pool, the committee and the engine evidence. */
export interface Proposal { height: number; view: number; round: number; block: Uint8Array; pool: Uint8Array[]; committee: string[]; evidence: CborValue }
/** A catch-up request: send me finalized blocks from `from`. */
export interface SyncRequest { id: string; from: number }
/** A catch-up answer: finalized blocks in order, the current global model and committee. */
export interface SyncReply { blocks: Uint8Array[]; model: Uint8Array; committee: string[] }

export class ClusterMessageError extends Error { constructor(m: string) { super(m); this.name = 'ClusterMessageError'; } }

const need = (ok: boolean, what: string) => { if (!ok) throw new ClusterMessageError(`bad ${what}`); };
const isBytes = (x: unknown): x is Uint8Array => x instanceof Uint8Array;
const isUint = (x: unknown): x is number => Number.isSafeInteger(x) && (x as number) >= 0;
const strs = (x: unknown, max: number): string[] => { need(Array.isArray(x) && x.length <= max && x.every((s) => typeof s === 'string'), 'string list'); return x as string[]; };

export const encodeProposal = (p: Proposal) => encodeCanonical([p.height, p.view, p.round, p.block, p.pool, p.committee, p.evidence]);
export function decodeProposal(b: Uint8Array): Proposal {
  const v = decodeBounded(b, MAX_CLUSTER_MESSAGE, STRICT_PROPOSAL);
  need(Array.isArray(v) && v.length === 7, 'proposal');
  const a = v as unknown[];
  need(isUint(a[0]) && isUint(a[1]) && isUint(a[2]) && isBytes(a[3]) && Array.isArray(a[4]) && (a[4] as unknown[]).length <= MAX_CANDIDATES && (a[4] as unknown[]).every((h) => isBytes(h) && h.length === 32), 'proposal fields');
  return { height: a[0] as number, view: a[1] as number, round: a[2] as number, block: new Uint8Array(a[3] as Uint8Array), pool: (a[4] as Uint8Array[]).map((h) => new Uint8Array(h)), committee: strs(a[5], MAX_COMMITTEE), evidence: a[6] as CborValue };
}

export const encodeVote = (v: { height: number; hash: Uint8Array; id: string; sig: Uint8Array }) => encodeCanonical([v.height, v.hash, v.id, v.sig]);
export function decodeVote(b: Uint8Array): { height: number; hash: Uint8Array; id: string; sig: Uint8Array } {
  const v = decodeBounded(b, MAX_SMALL_MESSAGE, STRICT_VOTE);
  need(Array.isArray(v) && v.length === 4 && isUint(v[0]) && isBytes(v[1]) && v[1].length === 32 && typeof v[2] === 'string' && isBytes(v[3]) && v[3].length === 64, 'vote');
  const a = v as [number, Uint8Array, string, Uint8Array];
  return { height: a[0], hash: new Uint8Array(a[1]), id: a[2], sig: new Uint8Array(a[3]) };
}

export const encodeSyncRequest = (r: SyncRequest) => encodeCanonical([r.id, r.from]);
export function decodeSyncRequest(b: Uint8Array): SyncRequest {
  const v = decodeBounded(b, MAX_SMALL_MESSAGE, STRICT_SYNC_REQUEST);
  need(Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && isUint(v[1]), 'sync request');
  return { id: (v as [string, number])[0], from: (v as [string, number])[1] };
}

export const encodeSyncReply = (r: SyncReply) => encodeCanonical([r.blocks, r.model, r.committee]);
export function decodeSyncReply(b: Uint8Array): SyncReply {
  const v = decodeBounded(b, MAX_CLUSTER_MESSAGE, STRICT_SYNC_REPLY);
  need(Array.isArray(v) && v.length === 3 && Array.isArray(v[0]) && v[0].length <= 10_000 && v[0].every(isBytes) && isBytes(v[1]), 'sync reply');
  const a = v as [Uint8Array[], Uint8Array, unknown];
  return { blocks: a[0].map((x) => new Uint8Array(x)), model: new Uint8Array(a[1]), committee: strs(a[2], MAX_COMMITTEE) };
}

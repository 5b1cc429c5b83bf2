// Size limits of every message at a network boundary, in one place (STYLE §6). A decoder
// refuses anything larger before parsing it.
import { MAX_MODEL_BYTES } from './model-blob.js';

export { MAX_MODEL_BYTES };

/** COSE_Sign1 framing, kid, signature and the update/announcement fields around one model blob. */
export const ENVELOPE_OVERHEAD = 4096;
/** A signed device update (COSE_Sign1 over the update fields and one model blob). */
export const MAX_UPDATE_BYTES = MAX_MODEL_BYTES + ENVELOPE_OVERHEAD;
/** A signed global-model announcement (one model blob plus its binding fields). */
export const MAX_ANNOUNCEMENT_BYTES = MAX_MODEL_BYTES + ENVELOPE_OVERHEAD;
/** Gateway ↔ gateway messages that carry blocks or models (proposals, sync replies): one block
 *  (the ledger's 64 MiB bound) plus a pool of ≤ 100,000 hashes and the engine's evidence. A sync
 *  reply is filled by its sender up to this size, not a block count. */
export const MAX_CLUSTER_MESSAGE = 72 * 1024 * 1024;
/** Gateway ↔ gateway messages of fixed shape: a vote [height, hash, id, sig] is ≤ 180 B, a sync
 *  request [id, from] ≤ 80 B. */
export const MAX_SMALL_MESSAGE = 256;
/** Nesting and item counts of the strict pre-check (protocol/strict-cbor.ts) per message family:
 *  what the protocol needs and no more. */
export const STRICT_VOTE = { maxDepth: 1, maxItems: 5 } as const;
export const STRICT_SYNC_REQUEST = { maxDepth: 1, maxItems: 3 } as const;
/** Proposal [h, v, r, block, pool[≤ MAX_CANDIDATES], committee[≤ MAX_COMMITTEE], evidence]; the
 *  evidence (score sheets, PoQ reports) nests at most 5 deep. */
export const STRICT_PROPOSAL = { maxDepth: 6, maxItems: 8 * 100_000 + 16 } as const;
/** Sync reply [blocks[≤ 10,000], model, committee[≤ MAX_COMMITTEE]]. */
export const STRICT_SYNC_REPLY = { maxDepth: 2, maxItems: 12_000 } as const;
/** One committee member's signed score sheet (100,000 entries ≈ 4 MB). */
export const MAX_SHEET_BYTES = 4 << 20;
/** Simulator control messages (plans list up to 100,000 indices). */
export const MAX_CONTROL_BYTES = 2 << 20;
/** Candidates in one round (proposal pools, score sheets). */
export const MAX_CANDIDATES = 100_000;
/** Members of one committee / parties of one task. */
export const MAX_COMMITTEE = 1024;

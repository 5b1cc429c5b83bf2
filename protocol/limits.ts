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
/** Gateway ↔ gateway messages that carry blocks or models (proposals, sync replies). */
export const MAX_CLUSTER_MESSAGE = 64 * 1024 * 1024;
/** Gateway ↔ gateway messages of fixed shape (votes, sync requests). */
export const MAX_SMALL_MESSAGE = 1024;
/** One committee member's signed score sheet (100,000 entries ≈ 4 MB). */
export const MAX_SHEET_BYTES = 4 << 20;
/** Simulator control messages (plans list up to 100,000 indices). */
export const MAX_CONTROL_BYTES = 2 << 20;
/** Candidates in one round (proposal pools, score sheets). */
export const MAX_CANDIDATES = 100_000;
/** Members of one committee / parties of one task. */
export const MAX_COMMITTEE = 1024;

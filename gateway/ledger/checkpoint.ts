// State checkpoint written when pruning: the full state after block `height`, whose root must
// equal that header's state root. A pruned node replays from here instead of from genesis.
import { encodeCanonical, decodeBounded, type CborValue } from '../../protocol/cbor.js';
import { LedgerError } from './errors.js';
import { StateDb, encodeEntry, fromCbor } from './state.js';

export const MAX_CHECKPOINT_BYTES = 256 * 1024 * 1024;

/** Canonical CBOR [height, [[key, value]...]]. */
export function encodeCheckpoint(height: number, s: StateDb): Uint8Array {
  const entries: CborValue[] = [];
  for (const [k, v] of s.iter()) entries.push([k, v]);
  return encodeCanonical([height, entries]);
}

/** Decodes a checkpoint. Throws LedgerError('malformed'). */
export function loadCheckpoint(b: Uint8Array): { height: number; state: StateDb } {
  const v = decodeBounded(b, MAX_CHECKPOINT_BYTES);
  if (!Array.isArray(v) || v.length !== 2 || typeof v[0] !== 'number' || !Array.isArray(v[1])) throw new LedgerError('malformed', 'checkpoint must be [height, entries]');
  const s = new StateDb();
  for (const e of v[1]) {
    if (!Array.isArray(e) || e.length !== 2 || typeof e[0] !== 'string') throw new LedgerError('malformed', 'checkpoint entry must be [key, value]');
    const value = fromCbor(e[1]);
    s.load(e[0], value, encodeEntry(e[0], value));
  }
  return { height: v[0], state: s };
}

// Loading persisted state entries into a StateDb (ledger open and verification).
import { decodeBounded } from '../../protocol/cbor.js';
import { LedgerError } from './errors.js';
import { StateDb, fromCbor } from './state.js';
import type { ChainStore } from './store.js';

/** Largest single state entry. */
export const MAX_STATE_ENTRY_BYTES = 1024 * 1024;

/** Decodes one encoded [key, value] entry. Throws LedgerError('malformed'). */
export function decodeEntry(enc: Uint8Array): [string, ReturnType<typeof fromCbor>] {
  const v = decodeBounded(enc, MAX_STATE_ENTRY_BYTES);
  if (!Array.isArray(v) || v.length !== 2 || typeof v[0] !== 'string') throw new LedgerError('malformed', 'state entry must be [key, value]');
  return [v[0], fromCbor(v[1])];
}

/** The state persisted in `store`. */
export async function loadState(store: ChainStore): Promise<StateDb> {
  const s = new StateDb();
  for await (const [k, enc] of store.stateEntries()) {
    const [key, value] = decodeEntry(enc);
    if (key !== k) throw new LedgerError('malformed', `state entry under ${k} names ${key}`);
    s.load(key, value, enc);
  }
  return s;
}

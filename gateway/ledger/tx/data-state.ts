// State records of data sharing (001 §III-B/C): providers' data profiles, the ε each provider
// has spent, and the request cache's index from a canonical request to the event that answered
// it. Keys live under `share/`, beside the shared schema in records.ts.
import { sha256, toHex } from '../../../protocol/bytes.js';
import { encodeCanonical } from '../../../protocol/cbor.js';
import type { KeyTerm } from '../../../protocol/data-id.js';
import type { StateReader } from '../state.js';

/** A provider's registered data profile (001 "retrieval record"). `budget` is its total ε
 *  (×1000) across requests. */
export interface ProfileRecord { id: string; categories: string[]; types: string[]; size: number; terms: KeyTerm[]; budget: number; position?: [number, number]; height: number }

/** The answer to a canonical request: the event that trained it and its model. */
export interface CacheRecord { event: Uint8Array; request: Uint8Array; modelHash: Uint8Array; providers: string[]; height: number }

export const SK = {
  profile: (provider: string) => `share/profile/${provider}`,
  spent: (provider: string) => `share/eps/${provider}`,
  cache: (key: Uint8Array) => `share/cache/${toHex(key)}`,
};

export const getProfile = (s: StateReader, p: string) => s.get(SK.profile(p)) as unknown as ProfileRecord | undefined;
/** ε spent by `p` so far, ×1000 (basic composition: the sum over its requests). */
export const getSpent = (s: StateReader, p: string) => (s.get(SK.spent(p)) as number | undefined) ?? 0;
export const getCached = (s: StateReader, key: Uint8Array) => s.get(SK.cache(key)) as unknown as CacheRecord | undefined;

/** What makes two requests the same question (the cache key): the key terms and categories as
 *  sets, the number of providers and the ε asked for. The query set is not part of it: the
 *  model answers any query. */
export interface CanonicalRequest { terms: string[]; categories: string[]; providers: number; epsilon: number }

/** SHA-256 of the canonical CBOR of a request: terms and categories lower-cased, de-duplicated
 *  and sorted. */
export function canonicalKey(r: CanonicalRequest): Uint8Array {
  const norm = (a: string[]) => [...new Set(a.map((x) => x.toLowerCase()))].sort();
  return sha256(encodeCanonical(['edgechain/share-request/v1', norm(r.terms), norm(r.categories), r.providers, r.epsilon]));
}

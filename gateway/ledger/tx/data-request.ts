// Data-sharing request (001 §III-C step 3): requester id (the author), the requested data
// categories and key terms, the hash of its query set, how many providers and what ε it asks
// for, and a timestamp — signed by the requester and bound to its message counter (no replay).
// It stays open until a data-sharing event serves it; its canonical key (data-state.ts) is
// what the request cache looks answers up by.
import { LedgerError } from '../errors.js';
import { onlyKeys, uint, list, idItem, bytes, opt } from '../fields.js';
import { K, put, bumpCounter } from '../records.js';
import { canonicalKey } from './data-state.js';
import type { TxKind } from './kind.js';

export interface DataRequestBody {
  categories: string[];
  /** Requested key terms (1–32 words of 1–32 characters). */
  terms?: string[];
  /** SHA-256 of the requester's query set (the queries stay with the requester). */
  queries?: Uint8Array;
  /** Providers wanted (1–64) and ε asked for ×1000 (0 = no differential privacy). */
  providers?: number;
  epsilon?: number;
  timestamp: number;
  ctr: number;
}

export const MAX_REQUEST_TERMS = 32, MAX_TERM_CHARS = 32, MAX_REQUEST_PROVIDERS = 64;

const termItem = (v: unknown): string => {
  if (typeof v !== 'string' || v.length < 1) throw new LedgerError('malformed', 'a request term is a non-empty string');
  if (v.length > MAX_TERM_CHARS) throw new LedgerError('too_large', `a request term has at most ${MAX_TERM_CHARS} characters`);
  return v;
};
/** The terms list: too many is `too_large`, none is `malformed` (an empty query). */
const termList = (m: Map<unknown, unknown>, k: string): string[] => {
  const v = m.get(k);
  if (Array.isArray(v) && v.length > MAX_REQUEST_TERMS) throw new LedgerError('too_large', `${v.length} request terms exceed ${MAX_REQUEST_TERMS}`);
  const t = list(m, k, termItem, MAX_REQUEST_TERMS);
  if (t.length === 0) throw new LedgerError('malformed', 'a request with terms names at least one');
  return t;
};

export const dataRequestKind: TxKind<DataRequestBody> = {
  type: 'data-request',
  author: 'participant',
  decode(m) {
    onlyKeys(m, ['categories', 'terms', 'queries', 'providers', 'epsilon', 'timestamp', 'ctr'], 'data-request');
    const categories = list(m, 'categories', idItem, 64);
    if (categories.length === 0) throw new LedgerError('malformed', 'a request names at least one category');
    const terms = opt(m, 'terms', termList);
    const providers = opt(m, 'providers', uint);
    if (providers !== undefined && (providers < 1 || providers > MAX_REQUEST_PROVIDERS)) throw new LedgerError('malformed', `providers must be in [1, ${MAX_REQUEST_PROVIDERS}]`);
    const epsilon = opt(m, 'epsilon', uint);
    if (epsilon !== undefined && epsilon > 1e9) throw new LedgerError('malformed', 'epsilon above 10^6');
    const queries = opt(m, 'queries', (mm, k) => bytes(mm, k, 32));
    return { categories, ...(terms ? { terms } : {}), ...(queries ? { queries } : {}), ...(providers !== undefined ? { providers } : {}), ...(epsilon !== undefined ? { epsilon } : {}), timestamp: uint(m, 'timestamp'), ctr: uint(m, 'ctr') };
  },
  encode: (b) => ({
    categories: b.categories, ...(b.terms ? { terms: b.terms } : {}), ...(b.queries ? { queries: b.queries } : {}),
    ...(b.providers !== undefined ? { providers: b.providers } : {}), ...(b.epsilon !== undefined ? { epsilon: b.epsilon } : {}), timestamp: b.timestamp, ctr: b.ctr,
  }),
  apply(s, tx, ctx) {
    const b = tx.body;
    if (b.timestamp > ctx.time) throw new LedgerError('bad_time', 'request timestamp is after the block');
    bumpCounter(s, tx.author, b.ctr);
    const key = canonicalKey({ terms: b.terms ?? [], categories: b.categories, providers: b.providers ?? 0, epsilon: b.epsilon ?? 0 });
    put(s, K.request(tx.hash), { requester: tx.author, categories: b.categories, timestamp: b.timestamp, height: ctx.height, key });
  },
};

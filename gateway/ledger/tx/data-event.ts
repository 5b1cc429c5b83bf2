// Data-sharing event (001 §III-C step 6): records that a request was served, by which providers,
// with which resulting model. Authored by a manager (super node); closes the request, so it is
// served once. A trained answer also records the ε each provider spent on it (×1000; basic
// composition: the chain adds it to the provider's total and refuses the event if that would
// pass the provider's budget) and becomes the request cache's entry for the request's
// canonical key; an answer from the cache names the event it repeats (`source`), spends no ε
// and must carry that event's model.
import { LedgerError } from '../errors.js';
import { onlyKeys, bytes, uint, list, idItem, opt } from '../fields.js';
import { bytesEqual } from '../../../protocol/bytes.js';
import { K, identity, put, type RequestRecord } from '../records.js';
import { SK, getProfile, getSpent, getCached, type CacheRecord } from './data-state.js';
import type { TxKind } from './kind.js';

export interface DataEventBody {
  request: Uint8Array; providers: string[]; modelHash: Uint8Array; timestamp: number;
  /** ε spent by each provider on this answer, ×1000, in the order of `providers`. */
  epsilon?: number[];
  /** Hash of the data-event transaction whose cached model this one returns. */
  source?: Uint8Array;
}

const epsItem = (v: unknown): number => {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || v > 1e9) throw new LedgerError('malformed', 'an ε entry is an integer in [0, 10^9]');
  return v;
};

export const dataEventKind: TxKind<DataEventBody> = {
  type: 'data-event',
  author: 'manager',
  decode(m) {
    onlyKeys(m, ['request', 'providers', 'modelHash', 'timestamp', 'epsilon', 'source'], 'data-event');
    const providers = list(m, 'providers', idItem, 256);
    const epsilon = opt(m, 'epsilon', (mm, k) => list(mm, k, epsItem, 256));
    if (epsilon && epsilon.length !== providers.length) throw new LedgerError('malformed', 'one ε entry per provider');
    const source = opt(m, 'source', (mm, k) => bytes(mm, k, 32));
    return { request: bytes(m, 'request', 32), providers, modelHash: bytes(m, 'modelHash', 32), timestamp: uint(m, 'timestamp'), ...(epsilon ? { epsilon } : {}), ...(source ? { source } : {}) };
  },
  encode: (b) => ({ request: b.request, providers: b.providers, modelHash: b.modelHash, timestamp: b.timestamp, ...(b.epsilon ? { epsilon: b.epsilon } : {}), ...(b.source ? { source: b.source } : {}) }),
  apply(s, tx, ctx) {
    const b = tx.body;
    if (b.timestamp > ctx.time) throw new LedgerError('bad_time', 'event timestamp is after the block');
    const key = K.request(b.request);
    const req = s.get(key) as unknown as (RequestRecord & { key?: Uint8Array }) | undefined;
    if (!req) throw new LedgerError('not_found', 'no open data-sharing request with that hash');
    for (const p of b.providers) if (!identity(s, p)) throw new LedgerError('unknown_author', `provider ${p} is unknown`);
    if (b.source) {
      if (b.epsilon?.some((e) => e > 0)) throw new LedgerError('malformed', 'an answer from the cache spends no ε');
      const hit = req.key && getCached(s, req.key);
      if (!hit || !bytesEqual(hit.event, b.source)) throw new LedgerError('not_found', 'the request cache holds no such answer for this request');
      if (!bytesEqual(hit.modelHash, b.modelHash)) throw new LedgerError('bad_payload', 'a cached answer must return the cached model');
    } else {
      // basic composition (Dwork & Roth 2014, Thm 3.16): ε of successive answers add up
      b.epsilon?.forEach((e, i) => {
        const p = b.providers[i];
        const prof = getProfile(s, p);
        if (!prof) throw new LedgerError('not_found', `provider ${p} has no data profile`);
        const spent = getSpent(s, p) + e;
        if (spent > prof.budget) throw new LedgerError('over_budget', `provider ${p} would spend ε ${spent / 1000} of its ${prof.budget / 1000}`);
        put(s, SK.spent(p), spent);
      });
      if (req.key) {
        const rec: CacheRecord = { event: tx.hash, request: b.request, modelHash: b.modelHash, providers: b.providers, height: ctx.height };
        put(s, SK.cache(req.key), rec);
      }
    }
    s.del(key);
  },
};

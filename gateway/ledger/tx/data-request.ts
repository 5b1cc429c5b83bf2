// Data-sharing request (001): requester id, data categories and timestamp, signed by the
// requester and bound to its message counter. It stays open until a data-sharing event serves it.
import { LedgerError } from '../errors.js';
import { onlyKeys, uint, list, idItem } from '../fields.js';
import { K, put, bumpCounter } from '../records.js';
import type { TxKind } from './kind.js';

export interface DataRequestBody { categories: string[]; timestamp: number; ctr: number }

export const dataRequestKind: TxKind<DataRequestBody> = {
  type: 'data-request',
  author: 'participant',
  decode(m) {
    onlyKeys(m, ['categories', 'timestamp', 'ctr'], 'data-request');
    const categories = list(m, 'categories', idItem, 64);
    if (categories.length === 0) throw new LedgerError('malformed', 'a request names at least one category');
    return { categories, timestamp: uint(m, 'timestamp'), ctr: uint(m, 'ctr') };
  },
  encode: (b) => ({ categories: b.categories, timestamp: b.timestamp, ctr: b.ctr }),
  apply(s, tx, ctx) {
    const b = tx.body;
    if (b.timestamp > ctx.time) throw new LedgerError('bad_time', 'request timestamp is after the block');
    bumpCounter(s, tx.author, b.ctr);
    put(s, K.request(tx.hash), { requester: tx.author, categories: b.categories, timestamp: b.timestamp, height: ctx.height });
  },
};

// Data-sharing event (001): records that a request was served, by which providers, with which
// resulting model. Authored by a manager (super node); closes the request, so it is served once.
import { LedgerError } from '../errors.js';
import { onlyKeys, bytes, uint, list, idItem } from '../fields.js';
import { K, identity } from '../records.js';
import type { TxKind } from './kind.js';

export interface DataEventBody { request: Uint8Array; providers: string[]; modelHash: Uint8Array; timestamp: number }

export const dataEventKind: TxKind<DataEventBody> = {
  type: 'data-event',
  author: 'manager',
  decode(m) {
    onlyKeys(m, ['request', 'providers', 'modelHash', 'timestamp'], 'data-event');
    return { request: bytes(m, 'request', 32), providers: list(m, 'providers', idItem, 256), modelHash: bytes(m, 'modelHash', 32), timestamp: uint(m, 'timestamp') };
  },
  encode: (b) => ({ ...b }),
  apply(s, tx, ctx) {
    const b = tx.body;
    if (b.timestamp > ctx.time) throw new LedgerError('bad_time', 'event timestamp is after the block');
    const key = K.request(b.request);
    if (!s.get(key)) throw new LedgerError('not_found', 'no open data-sharing request with that hash');
    for (const p of b.providers) if (!identity(s, p)) throw new LedgerError('unknown_author', `provider ${p} is unknown`);
    s.del(key);
  },
};

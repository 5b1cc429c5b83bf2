// Model transaction, 001 Table I: (hash pointer, owner id, receiver id, model data, MAE,
// timestamp). The owner authors it; the hash pointer is zero or a model transaction the owner
// received, so the chain of transmissions can be audited (001 §V, Fig. 7).
import { LedgerError } from '../errors.js';
import { onlyKeys, bytes, uint, str } from '../fields.js';
import { K, put, identity, type ModelTxRecord } from '../records.js';
import { bytesEqual, ZERO32 } from '../../../protocol/bytes.js';
import type { TxKind } from './kind.js';

export interface ModelTxBody {
  prev: Uint8Array;      // hash pointer: previous model transaction, or 32 zero bytes
  receiver: string;
  modelHash: Uint8Array;
  mae: number;           // MAE (Eq. 6) × 1e6
  timestamp: number;
}

export const modelTxKind: TxKind<ModelTxBody> = {
  type: 'model-tx',
  author: 'participant',
  decode(m) {
    onlyKeys(m, ['prev', 'receiver', 'modelHash', 'mae', 'timestamp'], 'model-tx');
    return { prev: bytes(m, 'prev', 32), receiver: str(m, 'receiver'), modelHash: bytes(m, 'modelHash', 32), mae: uint(m, 'mae'), timestamp: uint(m, 'timestamp') };
  },
  encode: (b) => ({ ...b }),
  apply(s, tx, ctx) {
    const b = tx.body;
    if (b.timestamp > ctx.time) throw new LedgerError('bad_time', 'model transaction timestamp is after the block');
    if (!identity(s, b.receiver)) throw new LedgerError('unknown_author', `receiver ${b.receiver} is unknown`);
    if (b.receiver === tx.author) throw new LedgerError('malformed', 'owner and receiver must differ');
    if (!bytesEqual(b.prev, ZERO32)) {
      const p = s.get(K.modelTx(b.prev)) as ModelTxRecord | undefined;
      if (!p) throw new LedgerError('not_found', 'hash pointer names no model transaction');
      if (p.receiver !== tx.author) throw new LedgerError('not_authorized', 'owner did not receive the model it forwards');
    }
    const key = K.modelTx(tx.hash);
    if (s.get(key)) throw new LedgerError('duplicate', 'model transaction already recorded');
    const rec: ModelTxRecord = { owner: tx.author, receiver: b.receiver, modelHash: b.modelHash, mae: b.mae, height: ctx.height };
    put(s, key, rec);
  },
};

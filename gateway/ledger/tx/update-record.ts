// Update record (002 "update block" entry): the round, the update hash, the uploader and its
// score, authored by the gateway that received and checked the device's signed envelope.
// The envelope (device COSE_Sign1 bytes) lives in the blob store under `envelopeHash`.
import { LedgerError } from '../errors.js';
import { onlyKeys, str, bytes, uint } from '../fields.js';
import { K, put, getModel, bumpCounter } from '../records.js';
import type { TxKind } from './kind.js';

export interface UpdateRecordBody {
  task: string;
  round: number;
  deviceId: string;
  envelopeHash: Uint8Array;  // SHA-256 of the device's full COSE_Sign1 bytes
  updateHash: Uint8Array;    // SHA-256 of the update's model blob
  n: number;                 // local samples
  score: number;             // integer score in fixed point (e.g. accuracy × 1e6)
  ctr: number;               // the device's message counter from the envelope
}

export const updateRecordKind: TxKind<UpdateRecordBody> = {
  type: 'update',
  author: 'manager',
  decode(m) {
    onlyKeys(m, ['task', 'round', 'deviceId', 'envelopeHash', 'updateHash', 'n', 'score', 'ctr'], 'update');
    return {
      task: str(m, 'task'), round: uint(m, 'round'), deviceId: str(m, 'deviceId'),
      envelopeHash: bytes(m, 'envelopeHash', 32), updateHash: bytes(m, 'updateHash', 32),
      n: uint(m, 'n'), score: uint(m, 'score'), ctr: uint(m, 'ctr'),
    };
  },
  encode: (b) => ({ ...b }),
  apply(s, tx, ctx) {
    const b = tx.body;
    // The device must be registered and active; its counter must rise (issue 5 §6).
    bumpCounter(s, b.deviceId, b.ctr);
    if (s.get(`dev/${b.deviceId}`) === undefined) throw new LedgerError('not_authorized', `${b.deviceId} is not a device`);
    const model = getModel(s, b.task);
    // An update for a round older than the task's latest model can no longer be aggregated.
    if (model && b.round < model.round) throw new LedgerError('stale_round', `round ${b.round} < model round ${model.round}`);
    // Keyed by the device's signed envelope: two devices may submit byte-identical models (lazy
    // copies, 004 §IV-A) and both are recorded; one envelope is recorded once.
    const key = K.pending(b.task, b.envelopeHash);
    if (s.get(key)) throw new LedgerError('duplicate', 'update envelope already recorded');
    put(s, key, { round: b.round, deviceId: b.deviceId, score: b.score, n: b.n, height: ctx.height });
  },
};

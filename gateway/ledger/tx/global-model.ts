// Global-model record (002 "model block"): a round's aggregated model hash and the updates it
// aggregated. Rounds of a task strictly increase; each listed update must be recorded, pending
// and from this round or earlier, and is consumed.
import { LedgerError } from '../errors.js';
import { onlyKeys, str, bytes, uint, list, hashItem, idItem, opt } from '../fields.js';
import { K, put, getModel, type PendingUpdate, type ModelRecord } from '../records.js';
import { toHex } from '../../../protocol/bytes.js';
import { defined, type TxKind } from './kind.js';
import { MAX_TXS_PER_BLOCK } from '../fields.js';

export interface GlobalModelBody {
  task: string;
  round: number;
  modelHash: Uint8Array;
  /** Envelope hashes of the device updates it aggregates (each a pending update record). */
  updates: Uint8Array[];
  accuracy?: number;   // integer fixed point (× 1e6)
  /** The committee elected for the next round (002 §III), where the task's engine has one. */
  committee?: string[];
}

export const globalModelKind: TxKind<GlobalModelBody> = {
  type: 'model',
  author: 'manager',
  decode(m) {
    onlyKeys(m, ['task', 'round', 'modelHash', 'updates', 'accuracy', 'committee'], 'model');
    return { task: str(m, 'task'), round: uint(m, 'round'), modelHash: bytes(m, 'modelHash', 32), updates: list(m, 'updates', hashItem, MAX_TXS_PER_BLOCK), accuracy: opt(m, 'accuracy', uint), committee: opt(m, 'committee', (x, k) => list(x, k, idItem)) };
  },
  encode: (b) => defined({ task: b.task, round: b.round, modelHash: b.modelHash, updates: b.updates, accuracy: b.accuracy, committee: b.committee }),
  apply(s, tx, ctx) {
    const b = tx.body;
    const prev = getModel(s, b.task);
    if (prev && b.round <= prev.round) throw new LedgerError('stale_round', `model round ${b.round} <= current ${prev.round}`);
    const seen = new Set<string>();
    for (const h of b.updates) {
      const hex = toHex(h);
      if (seen.has(hex)) throw new LedgerError('duplicate', `update ${hex} listed twice`);
      seen.add(hex);
      const key = K.pending(b.task, h);
      const u = s.get(key) as PendingUpdate | undefined;
      if (!u) throw new LedgerError('not_found', `update ${hex} is not a pending update of ${b.task}`);
      if (u.round > b.round) throw new LedgerError('stale_round', `update of round ${u.round} in model of round ${b.round}`);
      s.del(key);
    }
    const rec: ModelRecord = { round: b.round, modelHash: b.modelHash, updates: b.updates.length, height: ctx.height };
    if (b.accuracy !== undefined) rec.accuracy = b.accuracy;
    if (b.committee !== undefined) rec.committee = b.committee;
    put(s, K.model(b.task), rec);
  },
};

// Global-model record (002 "model block"): a round's aggregated model hash and the updates it
// aggregated. Rounds of a task strictly increase; each listed update must be recorded, pending
// and from this round or earlier, and is consumed.
import { LedgerError } from '../errors.js';
import { onlyKeys, str, bytes, uint, list, hashItem, idItem, intItem, opt, MAX_TXS_PER_BLOCK } from '../fields.js';
import { K, put, getModel, type PendingUpdate, type ModelRecord } from '../records.js';
import { toHex } from '../../../protocol/bytes.js';
import { defined, type TxKind } from './kind.js';

/** Most devices a model record's reputation list may name. */
export const MAX_TRUST_ENTRIES = 100_000;

/** [id, integer] pairs with strictly increasing ids (one entry per device, canonical order). */
function trustList(m: Map<unknown, unknown>, k: string): [string, number][] {
  const out = list(m, k, (v): [string, number] => {
    if (!Array.isArray(v) || v.length !== 2) throw new LedgerError('malformed', `${k}: each entry must be [id, integer]`);
    return [idItem(v[0]), intItem(v[1])];
  }, MAX_TRUST_ENTRIES);
  for (let i = 1; i < out.length; i++) if (!(out[i - 1][0] < out[i][0])) throw new LedgerError('malformed', `${k}: ids must be strictly increasing`);
  return out;
}

export interface GlobalModelBody {
  task: string;
  round: number;
  modelHash: Uint8Array;
  /** Envelope hashes of the device updates it aggregates (each a pending update record). */
  updates: Uint8Array[];
  accuracy?: number;   // integer fixed point (× 1e6)
  /** The committee elected for the next round (002 §III), where the task's engine has one. */
  committee?: string[];
  /** Each device's direction-trust reputation after this round (root-trust.ts), by id ascending. */
  trust?: [string, number][];
}

export const globalModelKind: TxKind<GlobalModelBody> = {
  type: 'model',
  author: 'manager',
  decode(m) {
    onlyKeys(m, ['task', 'round', 'modelHash', 'updates', 'accuracy', 'committee', 'trust'], 'model');
    return { task: str(m, 'task'), round: uint(m, 'round'), modelHash: bytes(m, 'modelHash', 32), updates: list(m, 'updates', hashItem, MAX_TXS_PER_BLOCK), accuracy: opt(m, 'accuracy', uint), committee: opt(m, 'committee', (x, k) => list(x, k, idItem)), trust: opt(m, 'trust', trustList) };
  },
  encode: (b) => defined({ task: b.task, round: b.round, modelHash: b.modelHash, updates: b.updates, accuracy: b.accuracy, committee: b.committee, trust: b.trust }),
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
    if (b.trust !== undefined) rec.trust = b.trust;
    put(s, K.model(b.task), rec);
  },
};

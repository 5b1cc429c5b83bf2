// Block layouts for FL records. "mixed" (default): a block may hold update records and the
// global-model record of a round together. "bflc" (002 §III-B): with k updates per round,
// block t·(k+1) is round t's model block and blocks t·(k+1)+1 … (t+1)·(k+1)−1 are its update
// blocks. Other transaction types may appear in any block.
import { LedgerError } from './errors.js';
import type { StateReader } from './state.js';
import type { Tx } from './tx/kind.js';
import type { UpdateRecordBody } from './tx/update-record.js';
import type { GlobalModelBody } from './tx/global-model.js';

/** Checks the FL records of a block at `height` against the chain's layout. Pure. */
export function checkLayout(height: number, txs: readonly Tx[], params: StateReader): void {
  if (params.get('param/layout') !== 'bflc') return;
  const k = params.get('param/bflc_k');
  if (typeof k !== 'number' || k < 1) throw new LedgerError('layout', 'bflc layout needs an integer bflc_k >= 1');
  const t = Math.floor(height / (k + 1));
  const isModelBlock = height % (k + 1) === 0;
  let models = 0;
  for (const tx of txs) {
    if (tx.type === 'model') {
      const b = tx.body as GlobalModelBody;
      if (!isModelBlock) throw new LedgerError('layout', `model record in update block ${height}`);
      if (b.round !== t) throw new LedgerError('layout', `model block ${height} must hold round ${t}, not ${b.round}`);
      models++;
    } else if (tx.type === 'update') {
      const b = tx.body as UpdateRecordBody;
      if (isModelBlock) throw new LedgerError('layout', `update record in model block ${height}`);
      if (b.round !== t) throw new LedgerError('layout', `update block ${height} belongs to round ${t}, not ${b.round}`);
    }
  }
  if (isModelBlock && models !== 1) throw new LedgerError('layout', `model block ${height} must hold exactly one model record`);
}

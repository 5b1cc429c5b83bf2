// The global model of a finalized round, read from a ledger directory: the round's `model`
// record (002 "model block") names the model's SHA-256, and the blob store beside the chain
// holds the bytes (re-hashed on read). Used by `npm run export`.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Ledger } from '../ledger/index.js';
import { toHex } from '../../protocol/bytes.js';

/** A model the ledger cannot provide: no ledger, no such task or round, or a missing blob. */
export class LedgerModelError extends Error {
  constructor(message: string) { super(message); this.name = 'LedgerModelError'; }
}

export interface LedgerModel { task: string; round: number; height: number; hash: string; blob: Uint8Array }

interface ModelTx { task: string; round: number; modelHash: Uint8Array }

/** Finds the global model of `round` (default: the latest) of `task` (default: the only task
 *  with a model) in the ledger at `dir`, read-only. Throws LedgerModelError.
 *  @example const { blob, round } = await ledgerModel('./data/run-1'); */
export async function ledgerModel(dir: string, o: { round?: number; task?: string } = {}): Promise<LedgerModel> {
  if (!existsSync(join(dir, 'chain'))) throw new LedgerModelError(`no ledger in ${dir} (expected ${join(dir, 'chain')})`);
  const l = await Ledger.open(dir);
  try {
    const tasks = [...l.stateEntries()].filter(([k]) => k.startsWith('model/')).map(([k]) => k.slice(6));
    if (tasks.length === 0) throw new LedgerModelError(`the ledger in ${dir} records no global model yet`);
    const task = o.task ?? (tasks.length === 1 ? tasks[0] : undefined);
    if (task === undefined) throw new LedgerModelError(`the ledger holds models of several tasks (${tasks.join(', ')}); pick one with --task`);
    if (!tasks.includes(task)) throw new LedgerModelError(`no model of task "${task}" (tasks: ${tasks.join(', ')})`);
    let found: { tx: ModelTx; height: number } | undefined;
    const rounds: number[] = [];
    for (let h = l.height; h >= 1 && !found; h--) {
      let txs;
      try { txs = (await l.block(h)).txs; } catch { continue; } // pruned body: its models are gone too
      for (const t of txs) {
        const b = t.body as ModelTx;
        if (t.type !== 'model' || b.task !== task) continue;
        rounds.push(b.round);
        if (o.round === undefined || b.round === o.round) { found = { tx: b, height: h }; break; }
      }
    }
    if (!found) throw new LedgerModelError(`task "${task}" has no global model for round ${o.round} (rounds on the ledger: ${rounds.sort((a, b) => a - b).join(', ') || 'none'})`);
    const blob = await l.getBlob(found.tx.modelHash);
    if (!blob) throw new LedgerModelError(`the model of round ${found.tx.round} (${toHex(found.tx.modelHash)}) is not in the blob store (pruned?)`);
    return { task, round: found.tx.round, height: found.height, hash: toHex(found.tx.modelHash), blob };
  } finally {
    await l.close();
  }
}

// Pruning (002 §IV storage optimisation; issue 5 §4): drop block bodies below a height and the
// blobs only they referenced, keep every header, and store a checkpoint of the state after the
// last pruned block so verification replays from there.
import { LedgerError } from './errors.js';
import { toHex, bytesEqual } from '../../protocol/bytes.js';
import { StateDb } from './state.js';
import { decodeHeaderRecord, decodeBody } from './block.js';
import { validateBlock, type Parent } from './validate.js';
import { encodeCheckpoint, loadCheckpoint } from './checkpoint.js';
import type { ChainStore } from './store.js';
import type { BlobStore } from './blobs.js';
import type { Tx } from './tx/kind.js';

/** Blob hashes a transaction references (envelopes and models). */
export function referencedBlobs(tx: Tx): Uint8Array[] {
  const b = tx.body as Record<string, unknown>;
  const out: Uint8Array[] = [];
  for (const k of ['envelopeHash', 'modelHash']) if (b[k] instanceof Uint8Array) out.push(b[k] as Uint8Array);
  return out;
}

/** Replays stored blocks up to and including `target`, from the checkpoint if there is one. */
async function replayTo(store: ChainStore, target: number): Promise<StateDb> {
  let state = new StateDb();
  let start = 0;
  let parent: Parent | undefined;
  const cp = await store.checkpoint();
  if (cp) {
    const c = loadCheckpoint(cp);
    state = c.state;
    start = c.height + 1;
    const r = decodeHeaderRecord((await store.headerRecord(c.height))!);
    if (!bytesEqual(state.root(), r.header.stateRoot)) throw new LedgerError('bad_state_root', 'checkpoint does not match its header');
    parent = { header: r.header, hash: r.hash };
  }
  let chainId = '';
  const g = await store.headerRecord(0);
  if (g) chainId = decodeHeaderRecord(g).header.chainId;
  for (let h = start; h <= target; h++) {
    const r = decodeHeaderRecord((await store.headerRecord(h))!);
    const body = await store.body(h);
    if (!body) throw new LedgerError('pruned', `body ${h} missing`);
    const ex = validateBlock(parent, state, { ...r, txs: decodeBody(body) }, chainId);
    state.apply(ex.changes, ex.stateRoot);
    parent = { header: r.header, hash: r.hash };
  }
  return state;
}

/** Prunes bodies of blocks [prunedBelow, height). Throws LedgerError('bad_height'). */
export async function pruneChain(store: ChainStore, blobs: BlobStore, current: StateDb, height: number, head: number): Promise<{ bodies: number; blobs: number }> {
  const from = await store.prunedBelow();
  if (!Number.isSafeInteger(height) || height < 1 || height > head) throw new LedgerError('bad_height', `prune height must be in 1..${head}`);
  if (height <= from) return { bodies: 0, blobs: 0 };
  const state = await replayTo(store, height - 1);
  const dropped = new Map<string, Uint8Array>();
  for (let h = from; h < height; h++) {
    const body = await store.body(h);
    if (body) for (const tx of decodeBody(body)) for (const x of referencedBlobs(tx)) dropped.set(toHex(x), x);
  }
  const keep = new Set<string>();
  for (let h = height; h <= head; h++) {
    const body = await store.body(h);
    if (body) for (const tx of decodeBody(body)) for (const x of referencedBlobs(tx)) keep.add(toHex(x));
  }
  // The current global models stay: training continues from them (002: "only relies on the latest model block").
  for (const [k, v] of current.iter()) if (k.startsWith('model/')) keep.add(toHex((v as { modelHash: Uint8Array }).modelHash));
  await store.prune(from, height, encodeCheckpoint(height - 1, state));
  let n = 0;
  for (const [hex, hash] of dropped) if (!keep.has(hex)) { await blobs.delete(hash); n++; }
  return { bodies: height - from, blobs: n };
}

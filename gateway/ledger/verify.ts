// Full-chain verification from disk (issue 5 §8 `ledger verify`): every header's hash, link,
// time and signature; for every stored body the Merkle root, the transactions' signatures and
// rules, and the replayed state root; finally the persisted state against the replayed one.
// Transaction signatures are verified on a worker pool (sig-pool.ts) while the rules replay.
// Every block conserves tokens and the final state has supply = balances + escrow + pools.
// Below a prune point only headers are checked, and replay starts from the pruning checkpoint.
import { LedgerError } from './errors.js';
import { bytesEqual } from '../../protocol/bytes.js';
import { StateDb } from './state.js';
import { identity } from './records.js';
import { verifySig } from './signer.js';
import { decodeHeaderRecord, decodeBody, proposerSigningBytes } from './block.js';
import { validateBlock, type Parent } from './validate.js';
import { loadCheckpoint } from './checkpoint.js';
import { loadState } from './state-load.js';
import type { ChainStore } from './store.js';
import { checkSupply } from './supply.js';
import { SigBatch, sigPool } from './sig-pool.js';

class DeferredSigError extends LedgerError {
  constructor(readonly height: number, tx: number) { super('bad_signature', `signature of tx ${tx} does not verify`); }
}

/** Waits for signature batches; throws the first failure in chain order. */
async function settle(checks: Promise<void>[]): Promise<void> {
  const r = await Promise.allSettled(checks);
  const bad = r.find((x) => x.status === 'rejected');
  if (bad) throw (bad as PromiseRejectedResult).reason;
}

/** Outcome of a verification; `error` names the first failure. */
export interface VerifyResult { ok: boolean; height: number; error?: string; prunedBelow?: number; ms?: number }

/** Re-verifies the chain in `store`. Never throws for a bad chain; returns ok: false. */
export async function verifyChain(store: ChainStore): Promise<VerifyResult> {
  const t0 = performance.now();
  const head = await store.head();
  if (!head) return { ok: false, height: -1, error: 'empty ledger' };
  const pruned = await store.prunedBelow();
  let state = new StateDb();
  let keys: StateDb | undefined;
  let checkpointHeight = -1;
  if (pruned > 0) {
    const cp = await store.checkpoint();
    if (!cp) return { ok: false, height: -1, error: 'pruned ledger without checkpoint' };
    const c = loadCheckpoint(cp);
    keys = c.state;
    checkpointHeight = c.height;
  }
  let parent: Parent | undefined;
  let chainId = '';
  let h = 0;
  const pool = sigPool();
  const sigChecks: Promise<void>[] = [];
  try {
    for (; h <= head.height; h++) {
      const rec = await store.headerRecord(h);
      if (!rec) throw new LedgerError('not_found', `header ${h} missing`);
      const r = decodeHeaderRecord(rec);
      if (h === 0) chainId = r.header.chainId;
      if (h < pruned) {
        // Header-only: link, height, time and proposer signature (keys from the checkpoint).
        if (r.header.chainId !== chainId) throw new LedgerError('bad_chain', `block ${h} of another chain`);
        if (parent) {
          if (r.header.height !== h || !bytesEqual(r.header.prev, parent.hash)) throw new LedgerError('bad_prev', `block ${h} does not link`);
          if (r.header.time < parent.header.time) throw new LedgerError('bad_time', `block ${h} older than parent`);
          const who = identity(keys!, r.header.proposer);
          if (!who || !verifySig(who.publicKey, proposerSigningBytes(r.hash), r.sig)) throw new LedgerError('bad_signature', `proposer signature of block ${h}`);
        }
        if (h === checkpointHeight) {
          if (!bytesEqual(keys!.root(), r.header.stateRoot)) throw new LedgerError('bad_state_root', `checkpoint does not match block ${h}`);
          state = keys!;
        }
      } else {
        const body = await store.body(h);
        if (!body) throw new LedgerError('pruned', `body ${h} missing`);
        // Transaction signatures go to the worker pool while replay goes on; the chain is ok
        // only once every batch verified (checks below).
        const batch = new SigBatch();
        const ex = validateBlock(parent, state, { ...r, txs: decodeBody(body) }, chainId, batch.defer);
        state.apply(ex.changes, ex.stateRoot);
        const height = h;
        sigChecks.push(pool.verify(batch).then((bad) => { if (bad >= 0) throw new DeferredSigError(height, bad); }));
        // bound what is in flight (memory) without waiting on each block
        if (sigChecks.length >= 64) await settle(sigChecks.splice(0, 32));
      }
      parent = { header: r.header, hash: r.hash };
    }
    await settle(sigChecks.splice(0));
    if (!parent || !bytesEqual(parent.hash, head.hash)) throw new LedgerError('bad_prev', 'head pointer does not match the last block');
    // Token invariant over the whole replayed state (each block was checked on its changes).
    checkSupply(state.iter());
    const persisted = await loadState(store);
    if (!bytesEqual(persisted.root(), state.root())) throw new LedgerError('bad_state_root', 'persisted state differs from the replayed state');
  } catch (e) {
    await Promise.allSettled(sigChecks);
    const msg = e instanceof Error ? e.message : String(e);
    // a deferred signature failure names its own block
    if (e instanceof DeferredSigError) return { ok: false, height: e.height, error: `block ${e.height}: ${msg}`, prunedBelow: pruned };
    return { ok: false, height: h, error: `block ${h}: ${msg}`, prunedBelow: pruned };
  }
  return { ok: true, height: head.height, prunedBelow: pruned, ms: performance.now() - t0 };
}

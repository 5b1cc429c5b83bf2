// Speculative signature checks for a block that is not final yet (BFT finality, bft.ts): while a
// gateway waits for the other gateways' approvals, the proposal's transaction signatures are
// verified on the worker pool (sig-pool.ts) and each one that verifies becomes a verdict of this
// gateway's ledger (verdicts.ts), so the import at finality verifies none of them on the event
// loop again. Nothing is skipped: a signature that did not verify here, or whose author's key
// differs at import, is verified at import as before (RFC 8032 §5.1.7).
import { identity } from './records.js';
import { kindOf } from './tx/registry.js';
import { txSigningBytes } from './tx/envelope.js';
import { SigBatch, sigPool } from './sig-pool.js';
import type { SignatureVerdicts } from './verdicts.js';
import type { StateReader } from './state.js';
import type { Tx } from './tx/kind.js';

/** The signature checks `txs` need against `state` (authors it does not know are left out:
 *  the import rejects them anyway). Pure. */
export function txSignatureChecks(state: StateReader, txs: readonly Tx[]): SigBatch {
  const batch = new SigBatch();
  for (const tx of txs) {
    const kind = kindOf(tx.type);
    if (!kind || kind.author === 'genesis') continue;
    const who = identity(state, tx.author);
    if (!who) continue;
    batch.defer(who.publicKey, txSigningBytes(tx.type, tx.author, kind.encode(tx.body)), tx.sig);
  }
  return batch;
}

/** Verifies `txs`' signatures on the pool (always off the event loop) and records each good one
 *  in `verdicts`. Resolves with how many were recorded; never rejects. */
export async function preverifyTxs(state: StateReader, txs: readonly Tx[], verdicts: SignatureVerdicts): Promise<number> {
  const b = txSignatureChecks(state, txs);
  if (b.size === 0) return 0;
  let bad: number;
  try { bad = await sigPool().verify(b, 1); } catch { return 0; }
  // every check before the first failure verified (the pool reports the lowest failing index)
  const good = bad < 0 ? b.size : bad;
  for (let i = 0; i < good; i++) verdicts.record(b.pk[i], b.msg[i], b.sig[i]);
  return good;
}

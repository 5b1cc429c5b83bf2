// Block rules as pure functions over values (STYLE §3): the same inputs give the same verdict
// and state root on every gateway. Storage and clocks are the caller's business.
import { LedgerError } from './errors.js';
import { bytesEqual } from '../../protocol/bytes.js';
import { merkleRoot } from './merkle.js';
import { StateOverlay, type StateDb, type StateValue, type StateReader } from './state.js';
import { identity } from './records.js';
import { verifyKnown, type KnownSig } from './signer.js';
import { applyTx } from './tx/registry.js';
import type { Tx, ApplyCtx } from './tx/kind.js';
import { proposerSigningBytes, MAX_TXS_PER_BLOCK, type Block } from './block.js';
import { HEADER_VERSION, headerHash, type Header } from './header.js';
import { sealRuleFor, type SealedHeader } from './seal/index.js';
import { checkLayout } from './layout.js';
import { checkSupplyDelta } from './supply.js';

/** Result of executing a block's transactions over a state. */
export interface Execution { changes: Map<string, StateValue | null>; stateRoot: Uint8Array }

/** Merkle root of the transaction hashes (RFC 9162 §2.1.1). */
export function txRoot(txs: readonly Tx[]): Uint8Array {
  return merkleRoot(txs.map((t) => t.hash));
}

/** Applies `txs` in order over `pre` without changing it; returns the writes and new root.
 *  Throws LedgerError naming the failing transaction's index. */
export function executeTxs(pre: StateDb, txs: readonly Tx[], ctx: ApplyCtx): Execution {
  const o = new StateOverlay(pre);
  txs.forEach((tx, i) => {
    try { applyTx(o, tx, ctx); } catch (e) {
      if (e instanceof LedgerError) throw new LedgerError(e.reason, `tx ${i} (${tx.type}): ${e.detail}`);
      throw e;
    }
  });
  // Token conservation (supply.ts): no block creates or destroys tokens except by a recorded burn.
  checkSupplyDelta(pre, o.changes());
  return { changes: o.changes(), stateRoot: pre.rootWith(o.changes()) };
}

/** The previous block's header and hash, or undefined for genesis. */
export interface Parent { header: Header; hash: Uint8Array }

/** Header-level rules: version, chain, height, link, time, proposer signature, consensus.
 *  `pre` is the state after the parent (keys, params); signatures `known` holds (this gateway's
 *  verdicts) are not verified again. Pure; throws LedgerError. */
export function checkSealedHeader(parent: Parent | undefined, b: SealedHeader, pre: StateReader, chainId: string, known?: KnownSig): void {
  const h = b.header;
  // Never trust a carried hash: it is what signatures and links commit to.
  if (!bytesEqual(headerHash(h), b.hash)) throw new LedgerError('malformed', `block ${h.height}: hash does not match its header`);
  if (h.v !== HEADER_VERSION) throw new LedgerError('malformed', `header version ${h.v}`);
  if (h.chainId !== chainId) throw new LedgerError('bad_chain', `chain ${h.chainId}, expected ${chainId}`);
  if (!parent) {
    if (h.height !== 0) throw new LedgerError('bad_height', 'first block must have height 0');
    return; // genesis is checked by comparing with the configured genesis block
  }
  if (h.height !== parent.header.height + 1) throw new LedgerError('bad_height', `height ${h.height} after ${parent.header.height}`);
  if (!bytesEqual(h.prev, parent.hash)) throw new LedgerError('bad_prev', `block ${h.height} does not link to its parent`);
  if (h.time < parent.header.time) throw new LedgerError('bad_time', `block ${h.height} is older than its parent`);
  const who = identity(pre, h.proposer);
  if (!who) throw new LedgerError('unknown_author', `unknown proposer ${h.proposer}`);
  if (!verifyKnown(known, who.publicKey, proposerSigningBytes(b.hash), b.sig)) throw new LedgerError('bad_signature', `proposer signature of block ${h.height} does not verify`);
  sealRuleFor(pre).check(b, pre, known);
}

/** Full rules for a block over the parent state: header, Merkle root, layout, transactions,
 *  state root. Returns the execution to commit. Pure; throws LedgerError. With `knownSig` the
 *  transaction signatures are handed to it (a verdict, or deferred to a SigBatch) instead of
 *  checked here; `knownHeader` is a verdict lookup for the proposer's and approvers' signatures. */
export function validateBlock(parent: Parent | undefined, pre: StateDb, b: Block, chainId: string, knownSig?: ApplyCtx['knownSig'], knownHeader?: KnownSig): Execution {
  checkSealedHeader(parent, b, pre, chainId, knownHeader);
  if (b.txs.length > MAX_TXS_PER_BLOCK) throw new LedgerError('too_large', `${b.txs.length} transactions`);
  if (!bytesEqual(txRoot(b.txs), b.header.txRoot)) throw new LedgerError('bad_tx_root', `tx root of block ${b.header.height} does not match`);
  checkLayout(b.header.height, b.txs, pre);
  // knownSig: a SigBatch's deferral (sig-pool.ts) — the caller fails the block unless it verifies
  const ex = executeTxs(pre, b.txs, { height: b.header.height, time: b.header.time, chainId, knownSig });
  if (!bytesEqual(ex.stateRoot, b.header.stateRoot)) throw new LedgerError('bad_state_root', `state root of block ${b.header.height} does not match`);
  return ex;
}

// The one dispatch point for transactions: type → kind, author and signature check, once-only
// content, then the kind's pure rule inside a child overlay (a failing tx leaves no writes).
import { LedgerError } from '../errors.js';
import { K, identity } from '../records.js';
import { verifySig } from '../signer.js';
import type { StateOverlay } from '../state.js';
import type { ApplyCtx, Tx, TxKind } from './kind.js';
import { decodeTx, txSigningBytes, txContentId } from './envelope.js';
import { genesisKind } from './genesis.js';
import { registrationKind } from './registration.js';
import { updateRecordKind } from './update-record.js';
import { globalModelKind } from './global-model.js';
import { dataRequestKind } from './data-request.js';
import { dataEventKind } from './data-event.js';
import { dataProfileKind } from './data-profile.js';
import { modelTxKind } from './model-tx.js';
import { taskPublishKind } from './task-publish.js';
import { bidKind } from './bid.js';
import { rewardKind } from './reward.js';
import { penaltyKind } from './penalty.js';
import { slashKind } from './slash.js';
import { reputationKind } from './reputation.js';
import { blacklistKind } from './blacklist.js';
import { selectKind } from './select.js';
import { refundKind } from './refund.js';
import { payoutKind } from './payout.js';
import { taskCloseKind } from './task-close.js';
import { contributionKind } from './contribution.js';
import { permissionFeeKind } from './permission-fee.js';

export const KINDS: ReadonlyMap<string, TxKind<any>> = new Map([
  genesisKind, registrationKind, updateRecordKind, globalModelKind, dataRequestKind, dataEventKind,
  modelTxKind, taskPublishKind, bidKind, rewardKind, penaltyKind, slashKind, reputationKind, blacklistKind,
  selectKind, refundKind, payoutKind, taskCloseKind, contributionKind, permissionFeeKind, dataProfileKind,
].map((k) => [k.type, k as TxKind<any>]));

/** Kind of a type name, or undefined. */
export function kindOf(type: string): TxKind<any> | undefined {
  return KINDS.get(type);
}

/** Decodes an untrusted transaction of any registered type. Throws LedgerError. */
export function decodeAnyTx(bytes: Uint8Array): Tx {
  return decodeTx(bytes, kindOf);
}

/** Checks the author's identity and signature (RFC 8032 §5.1.7) against current state. */
export function checkAuthor(s: StateOverlay, tx: Tx, kind: TxKind<any>, knownSig?: ApplyCtx['knownSig']): void {
  if (kind.author === 'genesis') return;
  const who = identity(s, tx.author);
  if (!who) throw new LedgerError('unknown_author', `unknown author ${tx.author}`);
  if (who.status !== 'active') throw new LedgerError(who.status, `author ${tx.author} is ${who.status}`);
  if (kind.author === 'manager' && who.role !== 'manager') throw new LedgerError('not_authorized', `${tx.type} needs a manager, ${tx.author} is a ${who.role}`);
  const msg = txSigningBytes(tx.type, tx.author, kind.encode(tx.body));
  if (!knownSig?.(who.publicKey, msg, tx.sig) && !verifySig(who.publicKey, msg, tx.sig)) {
    throw new LedgerError('bad_signature', `signature of ${tx.type} by ${tx.author} does not verify`);
  }
}

/** Applies one transaction to `s` atomically (pure over state). Throws LedgerError. */
export function applyTx(s: StateOverlay, tx: Tx, ctx: ApplyCtx): void {
  const kind = kindOf(tx.type);
  if (!kind) throw new LedgerError('malformed', `unknown tx type ${tx.type}`);
  if (kind.author === 'genesis' && ctx.height !== 0) throw new LedgerError('bad_height', 'genesis transaction after block 0');
  if (kind.author !== 'genesis' && ctx.height === 0) throw new LedgerError('bad_height', 'block 0 holds only the genesis transaction');
  checkAuthor(s, tx, kind, ctx.knownSig);
  const c = s.child();
  if (kind.once) {
    const key = K.once(txContentId(tx, kind));
    if (c.get(key)) throw new LedgerError('replay', `${tx.type} with this content was already applied`);
    c.set(key, ctx.height);
  }
  kind.apply(c, tx, ctx);
  c.commitInto(s);
}

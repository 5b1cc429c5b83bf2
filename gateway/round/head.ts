// The head a gateway's round machine starts from: the ledger's head block with its finality
// certificate — the block's approvals, or, on a chain one gateway seals alone, that gateway's
// own approval (the quorum of one).
import { approvalSigningBytes } from '../../protocol/block-signing.js';
import type { Ledger, Signer } from '../ledger/index.js';
import type { Head } from './machine.js';

/** The ledger's head as a machine Head. */
export async function ledgerHead(ledger: Ledger, signer: Signer): Promise<Head> {
  const b = await ledger.block(ledger.height);
  const cert = b.approvals.length ? b.approvals : [{ id: signer.id, sig: signer.sign(approvalSigningBytes(b.hash)) }];
  return { height: b.header.height, hash: b.hash, time: b.header.time, cert };
}

// A block: header, proposer signature, consensus approvals and transactions. Wire form is
// canonical CBOR [header, sig, approvals, [tx bytes...]]; storage splits it into a header
// record [header, sig, approvals] (kept forever) and a body [tx bytes...] (prunable).
import { encodeCanonical, decodeBounded, CborError } from '../../protocol/cbor.js';
import { LedgerError } from './errors.js';
import { proposerSigningBytes, approvalSigningBytes } from '../../protocol/block-signing.js';

export { proposerSigningBytes, approvalSigningBytes };
import { headerFromCbor, headerToCbor, encodeHeader, type Header } from './header.js';
import { sha256, bytesEqual } from '../../protocol/bytes.js';
import { idItem, MAX_ID } from './fields.js';
import { decodeAnyTx } from './tx/registry.js';
import type { Tx } from './tx/kind.js';

import { MAX_TXS_PER_BLOCK } from './fields.js';
export { MAX_TXS_PER_BLOCK };
export const MAX_BLOCK_BYTES = 64 * 1024 * 1024;
export const MAX_HEADER_RECORD_BYTES = 64 * 1024;
export const MAX_APPROVALS = 256;


/** A committee member's signature over the block hash. */
export interface Approval { id: string; sig: Uint8Array }

export interface Block {
  header: Header;
  hash: Uint8Array;
  sig: Uint8Array;          // proposer's Ed25519 signature over proposerSigningBytes(hash)
  approvals: Approval[];
  txs: Tx[];
}



/** Header record: what a pruned node keeps. */
export function encodeHeaderRecord(b: Pick<Block, 'header' | 'sig' | 'approvals'>): Uint8Array {
  return encodeCanonical([headerToCbor(b.header), b.sig, b.approvals.map((a) => [a.id, a.sig])]);
}

/** Body: the transactions' bytes in order. */
export function encodeBody(txs: readonly Tx[]): Uint8Array {
  return encodeCanonical(txs.map((t) => t.bytes));
}

/** Full wire form of a block. */
export function encodeBlock(b: Block): Uint8Array {
  return encodeCanonical([headerToCbor(b.header), b.sig, b.approvals.map((a) => [a.id, a.sig]), b.txs.map((t) => t.bytes)]);
}

function cborErr(e: unknown, what: string): never {
  if (e instanceof CborError) throw new LedgerError(e.kind === 'too_large' ? 'too_large' : e.kind === 'truncated' ? 'truncated' : e.kind === 'not_canonical' ? 'non_canonical' : 'malformed', `${what}: ${e.message}`);
  throw e;
}

function readHeaderParts(h: unknown, sig: unknown, appr: unknown): { header: Header; hash: Uint8Array; sig: Uint8Array; approvals: Approval[] } {
  const header = headerFromCbor(h);
  if (!(sig instanceof Uint8Array) || (sig.length !== 64 && !(header.height === 0 && sig.length === 0))) throw new LedgerError('malformed', 'block signature must be 64 bytes');
  if (!Array.isArray(appr) || appr.length > MAX_APPROVALS) throw new LedgerError('malformed', `approvals must be an array of at most ${MAX_APPROVALS}`);
  const approvals = appr.map((a): Approval => {
    if (!Array.isArray(a) || a.length !== 2 || !(a[1] instanceof Uint8Array) || a[1].length !== 64) throw new LedgerError('malformed', 'approval must be [id, 64-byte sig]');
    return { id: idItem(a[0]), sig: new Uint8Array(a[1]) };
  });
  return { header, hash: sha256(encodeHeader(header)), sig: new Uint8Array(sig), approvals };
}

/** Decodes a stored header record. Throws LedgerError. */
export function decodeHeaderRecord(bytes: Uint8Array): Omit<Block, 'txs'> {
  let v: unknown;
  try { v = decodeBounded(bytes, MAX_HEADER_RECORD_BYTES); } catch (e) { cborErr(e, 'header record'); }
  if (!Array.isArray(v) || v.length !== 3) throw new LedgerError('malformed', 'header record must be [header, sig, approvals]');
  const r = readHeaderParts(v[0], v[1], v[2]);
  if (!bytesEqual(encodeHeaderRecord(r), bytes)) throw new LedgerError('non_canonical', 'header record is not canonical');
  return r;
}

function readTxs(v: unknown): Tx[] {
  if (!Array.isArray(v) || v.length > MAX_TXS_PER_BLOCK) throw new LedgerError('too_large', `a block holds at most ${MAX_TXS_PER_BLOCK} transactions`);
  return v.map((t) => {
    if (!(t instanceof Uint8Array)) throw new LedgerError('malformed', 'transaction must be a byte string');
    return decodeAnyTx(new Uint8Array(t));
  });
}

/** Decodes a stored body. Throws LedgerError. */
export function decodeBody(bytes: Uint8Array): Tx[] {
  let v: unknown;
  try { v = decodeBounded(bytes, MAX_BLOCK_BYTES); } catch (e) { cborErr(e, 'body'); }
  return readTxs(v);
}

/** Decodes an untrusted wire block (structure only; rules are in validate.ts). Throws LedgerError. */
export function decodeBlock(bytes: Uint8Array): Block {
  let v: unknown;
  try { v = decodeBounded(bytes, MAX_BLOCK_BYTES); } catch (e) { cborErr(e, 'block'); }
  if (!Array.isArray(v) || v.length !== 4) throw new LedgerError('malformed', 'block must be [header, sig, approvals, txs]');
  const r = readHeaderParts(v[0], v[1], v[2]);
  const b: Block = { ...r, txs: readTxs(v[3]) };
  if (!bytesEqual(encodeBlock(b), bytes)) throw new LedgerError('non_canonical', 'block is not canonical');
  return b;
}

export { MAX_ID };

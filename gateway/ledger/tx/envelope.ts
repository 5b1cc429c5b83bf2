// The signed transaction envelope: canonical CBOR [1, type, author, body, sig]. The author
// signs ["edgechain/tx/v1", type, author, body] (domain-separated, so a transaction signature
// can never be replayed as a block signature or a COSE message).
import { encodeCanonical, decodeBounded, CborError, type CborValue } from '../../../protocol/cbor.js';
import { LedgerError } from '../errors.js';
import { sha256, bytesEqual } from '../../../protocol/bytes.js';
import { asMap, MAX_ID } from '../fields.js';
import type { Signer } from '../signer.js';
import type { Tx, TxKind } from './kind.js';

export const TX_VERSION = 1;
/** Largest encoded transaction accepted (a model record listing 1,024 update hashes fits). */
/** One transaction: a model record listing every update of a 20,000-device round is ≈ 660 KB. */
export const MAX_TX_BYTES = 1024 * 1024;
const TX_DOMAIN = 'edgechain/tx/v1';

/** Bytes the author signs. */
export function txSigningBytes(type: string, author: string, body: CborValue): Uint8Array {
  return encodeCanonical([TX_DOMAIN, type, author, body]);
}

/** Content id: hash of the signed content (without signature), used for once-only records. */
export function txContentId(tx: Tx, kind: TxKind<any>): Uint8Array {
  return sha256(txSigningBytes(tx.type, tx.author, kind.encode(tx.body)));
}

/** Builds and signs a transaction of `kind`; decodes it back so invalid bodies fail here.
 *  Throws LedgerError('malformed') on a bad body. */
export function makeTx<B>(kind: TxKind<B>, author: Signer, body: B): Tx<B> {
  const enc = kind.encode(body);
  const sig = author.sign(txSigningBytes(kind.type, author.id, enc));
  const bytes = encodeCanonical([TX_VERSION, kind.type, author.id, enc, sig]);
  return decodeTx(bytes, (t) => (t === kind.type ? kind : undefined)) as Tx<B>;
}

/** Unsigned genesis transaction (author "" and an empty signature). */
export function makeUnsignedTx<B>(kind: TxKind<B>, body: B): Tx<B> {
  const bytes = encodeCanonical([TX_VERSION, kind.type, '', kind.encode(body), new Uint8Array(0)]);
  return decodeTx(bytes, (t) => (t === kind.type ? kind : undefined)) as Tx<B>;
}

/** Decodes an untrusted transaction (structure and body only; no signature or state check).
 *  Throws LedgerError: too_large | truncated | malformed | non_canonical. */
export function decodeTx(bytes: Uint8Array, kindOf: (type: string) => TxKind<any> | undefined): Tx {
  let v: unknown;
  try { v = decodeBounded(bytes, MAX_TX_BYTES); } catch (e) {
    if (e instanceof CborError) throw new LedgerError(e.kind === 'too_large' ? 'too_large' : e.kind === 'truncated' ? 'truncated' : e.kind === 'not_canonical' ? 'non_canonical' : 'malformed', `tx: ${e.message}`);
    throw e;
  }
  if (!Array.isArray(v) || v.length !== 5) throw new LedgerError('malformed', 'tx must be a 5-element array');
  const [ver, type, author, body, sig] = v;
  if (ver !== TX_VERSION) throw new LedgerError('malformed', `tx version ${String(ver)}`);
  if (typeof type !== 'string') throw new LedgerError('malformed', 'tx type must be text');
  const kind = kindOf(type);
  if (!kind) throw new LedgerError('malformed', `unknown tx type ${type.slice(0, 32)}`);
  if (typeof author !== 'string' || author.length > MAX_ID) throw new LedgerError('malformed', 'tx author must be text of at most 64 characters');
  if (!(sig instanceof Uint8Array) || (sig.length !== 64 && !(kind.author === 'genesis' && sig.length === 0))) throw new LedgerError('malformed', 'tx signature must be 64 bytes');
  const decoded = kind.decode(asMap(body, 'tx body'));
  const tx: Tx = { type, author, body: decoded, sig: new Uint8Array(sig), bytes: new Uint8Array(bytes), hash: sha256(bytes) };
  // One transaction, one encoding: otherwise the same signed content could have many hashes.
  const again = encodeCanonical([TX_VERSION, type, author, kind.encode(decoded), tx.sig]);
  if (!bytesEqual(again, bytes)) throw new LedgerError('non_canonical', `tx ${type} is not in canonical encoding`);
  return tx;
}

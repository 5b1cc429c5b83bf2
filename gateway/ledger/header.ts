// Block header: height, previous hash, timestamp, Merkle root of the transaction hashes, state
// root, proposer and consensus data. Block hash = SHA-256 of the header's canonical CBOR
// (RFC 8949 §4.2.1), so every node derives the same bytes and the same hash.
import { encodeCanonical, decodeBounded, CborError, type CborValue } from '../../protocol/cbor.js';
import { LedgerError } from './errors.js';
import { sha256, bytesEqual } from '../../protocol/bytes.js';
import { asMap, onlyKeys, str, uint, bytes, list, idItem, opt, MAX_ID } from './fields.js';

export const HEADER_VERSION = 1;
export const MAX_HEADER_BYTES = 16 * 1024;
export const MAX_COMMITTEE = 256;

/** Consensus data carried in the header (engine-specific fields are optional). */
export interface ConsensusData {
  engine?: string;        // the round consensus engine (gateway/consensus: fedavg, committee, poq, pow)
  round?: number;         // FL round
  committee?: string[];   // the gateways whose approvals seal the block (quorum seal rule)
  nonce?: number;         // PoW nonce (004)
  difficulty?: number;    // PoW difficulty in leading zero bits
  evidence?: Uint8Array;  // SHA-256 of the round's evidence record (device evidence in the content store)
}

export interface Header {
  v: number;
  chainId: string;
  height: number;
  prev: Uint8Array;
  time: number;
  txRoot: Uint8Array;
  stateRoot: Uint8Array;
  proposer: string;
  cons: ConsensusData;
}

function consToCbor(c: ConsensusData): CborValue {
  const o: Record<string, CborValue> = {};
  if (c.engine !== undefined) o.engine = c.engine;
  if (c.round !== undefined) o.round = c.round;
  if (c.committee !== undefined) o.committee = c.committee;
  if (c.nonce !== undefined) o.nonce = c.nonce;
  if (c.difficulty !== undefined) o.difficulty = c.difficulty;
  if (c.evidence !== undefined) o.evidence = c.evidence;
  return o;
}

/** Header as a CBOR value (field names short but readable). */
export function headerToCbor(h: Header): CborValue {
  return { v: h.v, chain: h.chainId, height: h.height, prev: h.prev, time: h.time, txRoot: h.txRoot, stateRoot: h.stateRoot, proposer: h.proposer, cons: consToCbor(h.cons) };
}

/** Canonical header bytes. Throws CborError on a non-integer field. */
export function encodeHeader(h: Header): Uint8Array {
  return encodeCanonical(headerToCbor(h));
}

/** Block hash: SHA-256 of the canonical header. */
export function headerHash(h: Header): Uint8Array {
  return sha256(encodeHeader(h));
}

/** Decodes a consensus-data map (bounded). */
export function decodeCons(v: unknown): ConsensusData {
  const m = asMap(v, 'cons');
  onlyKeys(m, ['engine', 'round', 'committee', 'nonce', 'difficulty', 'evidence'], 'cons');
  const c: ConsensusData = {};
  const engine = opt(m, 'engine', (x, k) => str(x, k, MAX_ID));
  if (engine !== undefined) c.engine = engine;
  const round = opt(m, 'round', uint); if (round !== undefined) c.round = round;
  const committee = opt(m, 'committee', (x, k) => list(x, k, idItem, MAX_COMMITTEE)); if (committee !== undefined) c.committee = committee;
  const nonce = opt(m, 'nonce', uint); if (nonce !== undefined) c.nonce = nonce;
  const difficulty = opt(m, 'difficulty', uint); if (difficulty !== undefined) c.difficulty = difficulty;
  const evidence = opt(m, 'evidence', (x, k) => bytes(x, k, 32)); if (evidence !== undefined) c.evidence = evidence;
  return c;
}

/** Reads a header from a decoded CBOR value. Throws LedgerError('malformed'). */
export function headerFromCbor(v: unknown): Header {
  const m = asMap(v, 'header');
  onlyKeys(m, ['v', 'chain', 'height', 'prev', 'time', 'txRoot', 'stateRoot', 'proposer', 'cons'], 'header');
  const ver = uint(m, 'v');
  if (ver !== HEADER_VERSION) throw new LedgerError('malformed', `header version ${ver}`);
  return {
    v: ver, chainId: str(m, 'chain'), height: uint(m, 'height'), prev: bytes(m, 'prev', 32), time: uint(m, 'time'),
    txRoot: bytes(m, 'txRoot', 32), stateRoot: bytes(m, 'stateRoot', 32), proposer: str(m, 'proposer', MAX_ID, 0), cons: decodeCons(m.get('cons')),
  };
}

/** Decodes untrusted header bytes and checks they are canonical. Throws LedgerError. */
export function decodeHeader(b: Uint8Array): Header {
  let v: unknown;
  try { v = decodeBounded(b, MAX_HEADER_BYTES); } catch (e) {
    if (e instanceof CborError) throw new LedgerError(e.kind === 'too_large' ? 'too_large' : e.kind === 'truncated' ? 'truncated' : e.kind === 'not_canonical' ? 'non_canonical' : 'malformed', `header: ${e.message}`);
    throw e;
  }
  const h = headerFromCbor(v);
  if (!bytesEqual(encodeHeader(h), b)) throw new LedgerError('non_canonical', 'header is not in canonical encoding');
  return h;
}

// The global-model announcement (gateway → devices), retained on fl/<task>/global: a
// COSE_Sign1 by one gateway (kid = gateway id) over deterministic CBOR
//   {task, round, hash, model, done, chain, height, block, cert, committee?}
// "train round `round` starting from `model`, which block `block` (at `height`, on the chain
// whose genesis hash is `chain`) finalized". `cert` is that block's finality certificate: the
// approvals of ≥ ⌈2n/3⌉ of the chain's n gateways (for one gateway, its own approval). A board
// accepts an announcement from any gateway of its chain whose certificate verifies, so every
// gateway may announce and a late joiner starts from whichever it hears; an announcement of
// another chain, or one no quorum certified, is refused.
import { verify as nodeVerify, type KeyObject } from 'node:crypto';
import { sha256 } from '@noble/hashes/sha2.js';
import { encodeCanonical, decodeBounded } from './cbor.js';
import { parseSign1, verifySign1, signSign1, CoseError } from './cose.js';
import { approvalSigningBytes, finalityQuorum } from './block-signing.js';
import { isId } from './ids.js';
import { bytesEqual } from './bytes.js';
import { MAX_COMMITTEE } from './limits.js';

/** One gateway's approval of a block (the ledger's approval signature). */
export interface Approval { id: string; sig: Uint8Array }

export interface Announcement {
  task: string;
  round: number;       // the round devices should now train for
  hash: Uint8Array;    // SHA-256 of `model`
  model: Uint8Array;   // model blob (docs/model-format.md)
  done: boolean;       // true after the last round: devices stop training
  chain: Uint8Array;   // genesis block hash
  height: number;      // the head block the round builds on
  block: Uint8Array;   // its hash: the round's `prev`, which score sheets and reports bind to
  cert: Approval[];    // approvals of `block` by the chain's gateways
  /** The round's scoring committee (seed 002 BFLC): its members score instead of training. */
  committee?: string[];
}

/** What a board trusts: its chain and the chain's gateways (the genesis managers). */
export interface ChainTrust { chain: Uint8Array; gateways: ReadonlyMap<string, KeyObject> }

/** Signs an announcement with the gateway's key. */
export function encodeAnnouncement(gatewayId: string, a: Omit<Announcement, 'hash'>, key: KeyObject): Uint8Array {
  const payload = encodeCanonical({
    task: a.task, round: a.round, hash: sha256(a.model), model: a.model, done: a.done, chain: a.chain, height: a.height, block: a.block,
    cert: a.cert.map((c) => [c.id, c.sig]), ...(a.committee?.length ? { committee: a.committee } : {}),
  });
  return signSign1(new TextEncoder().encode(gatewayId), payload, key);
}

/** Strict pre-check of the payload: 10 fields, cert [[id, sig]…] and committee of ≤ MAX_COMMITTEE. */
const ANNOUNCEMENT_LIMITS = { maxDepth: 3, maxItems: 1 + 2 * 10 + 1 + 3 * MAX_COMMITTEE + MAX_COMMITTEE } as const;

const bad = (m: string) => new CoseError('bad_payload', m);

/** Verifies and decodes an announcement against `trust`. Throws CoseError ('bad_signature',
 *  'unknown_gateway', 'wrong_chain', 'no_quorum', 'bad_payload', or a framing reason). */
export function decodeAnnouncement(bytes: Uint8Array, trust: ChainTrust, maxBytes: number): Announcement {
  const msg = parseSign1(bytes, maxBytes);
  const kid = new TextDecoder().decode(msg.kid);
  const key = trust.gateways.get(kid);
  if (!key) throw new CoseError('unknown_gateway', `announcement by ${kid}, not a gateway of this chain`);
  if (!verifySign1(msg, key)) throw new CoseError('bad_signature', `announcement not signed by ${kid}`);
  const m = decodeBounded(msg.payload, maxBytes, ANNOUNCEMENT_LIMITS);
  if (!(m instanceof Map)) throw bad('announcement payload must be a map');
  const g = (k: string) => m.get(k);
  const task = g('task'), round = g('round'), hash = g('hash'), model = g('model'), done = g('done');
  const chain = g('chain'), height = g('height'), block = g('block'), cert = g('cert'), committee = g('committee');
  if (typeof task !== 'string' || !Number.isSafeInteger(round) || !(hash instanceof Uint8Array) || !(model instanceof Uint8Array) || typeof done !== 'boolean'
    || !(chain instanceof Uint8Array) || chain.length !== 32 || !Number.isSafeInteger(height) || !(block instanceof Uint8Array) || block.length !== 32 || !Array.isArray(cert)) {
    throw bad('announcement fields have wrong types');
  }
  if (committee !== undefined && !(Array.isArray(committee) && committee.length <= MAX_COMMITTEE && committee.every((c) => typeof c === 'string' && isId(c)))) throw bad('committee must be a list of ids');
  if (!bytesEqual(sha256(model), hash)) throw bad('model hash mismatch');
  if (!bytesEqual(chain, trust.chain)) throw new CoseError('wrong_chain', 'announcement of another chain');
  // The finality certificate: distinct gateways of this chain, each signature over the block hash.
  if (cert.length > trust.gateways.size) throw bad('more approvals than gateways');
  const signed = new Set<string>();
  const approvals: Approval[] = [];
  for (const c of cert) {
    if (!Array.isArray(c) || c.length !== 2 || typeof c[0] !== 'string' || !(c[1] instanceof Uint8Array) || c[1].length !== 64) throw bad('approval must be [id, sig64]');
    const k = trust.gateways.get(c[0]);
    if (k && !signed.has(c[0]) && nodeVerify(null, approvalSigningBytes(block), k, c[1])) signed.add(c[0]);
    approvals.push({ id: c[0], sig: new Uint8Array(c[1]) });
  }
  const need = finalityQuorum(trust.gateways.size);
  if (signed.size < need) throw new CoseError('no_quorum', `block ${height} certified by ${signed.size} of the ${need} gateways needed`);
  return {
    task, round: round as number, hash: new Uint8Array(hash), model: new Uint8Array(model), done, chain: new Uint8Array(chain), height: height as number,
    block: new Uint8Array(block), cert: approvals, ...(committee ? { committee: committee as string[] } : {}),
  };
}

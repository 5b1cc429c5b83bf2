// The global-model announcement (gateway → devices), retained on fl/<task>/global.
// A COSE_Sign1 signed by the gateway (kid = gateway id) over deterministic CBOR
// {task, round, hash, model, done}: "train round `round` starting from `model`".
import type { KeyObject } from 'node:crypto';
import { sha256 } from '@noble/hashes/sha2.js';
import { encodeCanonical, decodeBounded } from './cbor.js';
import { parseSign1, verifySign1, signSign1, CoseError } from './cose.js';
import { isId } from './ids.js';
import { MAX_COMMITTEE } from './limits.js';

export interface GlobalModel {
  task: string;
  round: number;       // the round devices should now train for
  hash: Uint8Array;    // SHA-256 of `model`
  model: Uint8Array;   // model blob (docs/model-format.md)
  done: boolean;       // true after the last round: devices stop training
  /** The round's scoring committee (seed 002 BFLC): its members score instead of training. */
  committee?: string[];
}

/** Signs a global-model announcement with the gateway's key. */
export function encodeAnnouncement(gatewayId: string, g: Omit<GlobalModel, 'hash'>, key: KeyObject): Uint8Array {
  const payload = encodeCanonical({ task: g.task, round: g.round, hash: sha256(g.model), model: g.model, done: g.done, ...(g.committee?.length ? { committee: g.committee } : {}) });
  return signSign1(new TextEncoder().encode(gatewayId), payload, key);
}

/** Verifies and decodes an announcement from the gateway whose key is `gatewayKey`. Throws CoseError. */
export function decodeAnnouncement(bytes: Uint8Array, gatewayKey: KeyObject, maxBytes: number): GlobalModel {
  const msg = parseSign1(bytes, maxBytes);
  if (!verifySign1(msg, gatewayKey)) throw new CoseError('bad_signature', 'global model not signed by the gateway');
  const m = decodeBounded(msg.payload, maxBytes);
  if (!(m instanceof Map)) throw new CoseError('bad_payload', 'global payload must be a map');
  const task = m.get('task'), round = m.get('round'), hash = m.get('hash'), model = m.get('model'), done = m.get('done'), committee = m.get('committee');
  if (typeof task !== 'string' || typeof round !== 'number' || !(hash instanceof Uint8Array) || !(model instanceof Uint8Array) || typeof done !== 'boolean') {
    throw new CoseError('bad_payload', 'global payload fields have wrong types');
  }
  if (committee !== undefined && !(Array.isArray(committee) && committee.length <= MAX_COMMITTEE && committee.every((c) => typeof c === 'string' && isId(c)))) {
    throw new CoseError('bad_payload', 'global committee must be a list of ids');
  }
  const h = sha256(model);
  if (h.length !== hash.length || h.some((x, i) => x !== hash[i])) throw new CoseError('bad_payload', 'global model hash mismatch');
  return { task, round, hash: new Uint8Array(hash), model: new Uint8Array(model), done, ...(committee ? { committee: committee as string[] } : {}) };
}

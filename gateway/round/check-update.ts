// The gateway's admission check for a device update (docs/protocol.md §Admission).
// Pure: takes the message and what the gateway knows, returns a verdict with a stable reason.
// Order matters: size first, then structure, identity and signature, and only then the
// signed content — nothing in an unverified payload is trusted.
import type { KeyObject } from 'node:crypto';
import { sha256 } from '../../protocol/bytes.js';
import { parseSign1, verifySign1, CoseError } from '../../protocol/cose.js';
import { decodeUpdate, UpdateError, type UpdateFields } from '../../protocol/update.js';
import { decodeModel, sameShape, type ModelHeader } from '../../protocol/model-blob.js';

/** What the gateway knows about the current round. */
export interface RoundContext {
  task: string;
  round: number;
  baseHash: Uint8Array;          // SHA-256 of the round's global model blob
  baseHeader: ModelHeader;       // shape every update must keep
  maxBytes: number;              // explicit limit on one update message
  /** Registered device: its Ed25519 key and the last accepted message counter. */
  device(id: string): { key: KeyObject; counter: number } | undefined;
  /** True if this device already has an accepted update in the round. */
  hasUpdate(id: string): boolean;
}

/** An accepted update, with what the ledger and the aggregator need. */
export interface AcceptedUpdate {
  deviceId: string;
  fields: UpdateFields;
  params: Int32Array;
  envelope: Uint8Array;
  envelopeHash: Uint8Array;
  updateHash: Uint8Array;        // SHA-256 of the model blob in the update
}

export type Verdict = { ok: true; update: AcceptedUpdate } | { ok: false; reason: string; detail: string; deviceId?: string };

const textDecoder = new TextDecoder('utf-8', { fatal: true });
const equal = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);
const reject = (reason: string, detail: string, deviceId?: string): Verdict => ({ ok: false, reason, detail, deviceId });

/** Checks one update message received on the topic of `topicDevice`. Never throws on bad input. */
export function checkUpdate(bytes: Uint8Array, topicDevice: string, ctx: RoundContext): Verdict {
  if (bytes.byteLength > ctx.maxBytes) return reject('too_large', `${bytes.byteLength} B > limit ${ctx.maxBytes} B`, topicDevice);
  let msg;
  try {
    msg = parseSign1(bytes, ctx.maxBytes);
  } catch (e) {
    if (e instanceof CoseError) return reject(e.reason, e.message, topicDevice);
    return reject('malformed', String(e), topicDevice);
  }
  let kid: string;
  try { kid = textDecoder.decode(msg.kid); } catch { return reject('bad_kid', 'kid is not UTF-8', topicDevice); }
  if (kid !== topicDevice) return reject('topic_mismatch', `kid ${kid} published on the topic of ${topicDevice}`, topicDevice);
  const dev = ctx.device(kid);
  if (!dev) return reject('unknown_device', `device ${kid} is not registered`, kid);
  if (!verifySign1(msg, dev.key)) return reject('bad_signature', 'Ed25519 signature does not verify (RFC 8032 §5.1.7)', kid);

  let f: UpdateFields;
  try { f = decodeUpdate(msg.payload, ctx.maxBytes); } catch (e) {
    if (e instanceof UpdateError) return reject('bad_payload', e.message, kid);
    return reject('bad_payload', String(e), kid);
  }
  if (f.task !== ctx.task) return reject('wrong_task', `task ${f.task} ≠ ${ctx.task}`, kid);
  if (f.ctr <= dev.counter) return reject('replay', `counter ${f.ctr} ≤ last accepted ${dev.counter}`, kid);
  if (f.round !== ctx.round) return reject('wrong_round', `round ${f.round} ≠ current ${ctx.round}`, kid);
  if (!equal(f.base, ctx.baseHash)) return reject('stale_base', 'update was trained from another global model', kid);
  if (f.n === 0) return reject('no_samples', 'sample count is zero', kid);
  if (ctx.hasUpdate(kid)) return reject('duplicate', `device ${kid} already has an update in round ${ctx.round}`, kid);
  let decoded;
  try { decoded = decodeModel(f.model); } catch (e) { return reject('bad_model', String((e as Error).message ?? e), kid); }
  if (!sameShape(decoded.header, ctx.baseHeader)) return reject('bad_model', 'model shape or scales differ from the base model', kid);
  return {
    ok: true,
    update: {
      deviceId: kid, fields: f, params: decoded.params, envelope: bytes,
      envelopeHash: sha256(bytes), updateHash: sha256(f.model),
    },
  };
}

// Re-verification of a device's signed update from the blob store: anyone holding the chain and
// the envelope can check that the gateway's update record matches what the device signed
// (COSE_Sign1, RFC 9052 §4.4; Ed25519, RFC 8032 §5.1.7).
import { parseSign1, verifySign1, publicKeyObject, CoseError } from '../../protocol/cose.js';
import { decodeUpdate, UpdateError } from '../../protocol/update.js';
import { LedgerError } from './errors.js';
import { sha256, bytesEqual } from '../../protocol/bytes.js';
import type { UpdateRecordBody } from './tx/update-record.js';

/** Largest envelope accepted when re-verifying. */
export const MAX_ENVELOPE_BYTES = 16 * 1024 * 1024;

/** Checks an update record against the device envelope it names. Pure; throws LedgerError. */
export function checkEnvelope(devicePublicKey: Uint8Array, rec: UpdateRecordBody, envelope: Uint8Array): void {
  if (!bytesEqual(sha256(envelope), rec.envelopeHash)) throw new LedgerError('bad_payload', 'envelope does not match its hash');
  let msg;
  try { msg = parseSign1(envelope, MAX_ENVELOPE_BYTES); } catch (e) {
    if (e instanceof CoseError) throw new LedgerError('bad_payload', `envelope: ${e.reason}: ${e.message}`);
    throw e;
  }
  if (new TextDecoder().decode(msg.kid) !== rec.deviceId) throw new LedgerError('bad_payload', 'envelope kid is not the recorded device');
  if (!verifySign1(msg, publicKeyObject(devicePublicKey))) throw new LedgerError('bad_signature', `device signature of ${rec.deviceId} does not verify`);
  let f;
  try { f = decodeUpdate(msg.payload, MAX_ENVELOPE_BYTES); } catch (e) {
    if (e instanceof UpdateError) throw new LedgerError('bad_payload', `update payload: ${e.message}`);
    throw e;
  }
  if (f.task !== rec.task || f.round !== rec.round || f.ctr !== rec.ctr || f.n !== rec.n) throw new LedgerError('bad_payload', 'record fields differ from the signed update');
  if (!bytesEqual(sha256(f.model), rec.updateHash)) throw new LedgerError('bad_payload', 'update hash differs from the signed model');
}

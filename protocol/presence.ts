// Presence (retained on fl/<task>/presence/<id>): every board and gateway marks itself online
// when it connects, and its MQTT will marks it offline when the connection drops without a
// clean disconnect (MQTT 3.1.1 §3.1.2.5). Unsigned: presence only tells gateways whom not to
// wait for — a forged status can cost a round its deadline, never admit or drop an update.
import { encodeCanonical, decodeBounded } from './cbor.js';
import { presenceTopic } from './topics.js';

export interface Presence { online: boolean }
export const MAX_PRESENCE_BYTES = 64;

export const encodePresence = (p: Presence): Uint8Array => encodeCanonical([p.online ? 1 : 0]);
/** Throws CborError (too_large | truncated | invalid) or RangeError. */
export function decodePresence(b: Uint8Array): Presence {
  const v = decodeBounded(b, MAX_PRESENCE_BYTES);
  if (!Array.isArray(v) || v.length !== 1 || (v[0] !== 0 && v[0] !== 1)) throw new RangeError('presence must be [0 | 1]');
  return { online: v[0] === 1 };
}

/** The will an actor connects with: retained "offline" on its presence topic. */
export const presenceWill = (task: string, id: string) => ({ topic: presenceTopic(task, id), payload: encodePresence({ online: false }), retain: true });

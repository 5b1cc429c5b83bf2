// MQTT credentials bound to a registered key (docs/protocol.md §Broker security): the password
// of a board or gateway is a short-lived token it signs with its own Ed25519 key, the one the
// chain registered (devices) or the genesis lists (gateways), so the broker holds no secrets:
//   token = base64url(CBOR ["edgechain-fl/mqtt", id, chain, issued]) "." base64url(sig)
// `chain` is the genesis hash (a token of another chain is refused), `issued` Unix seconds (a
// token is valid ±TOKEN_WINDOW_S around it, so a captured one expires; TLS keeps it from being
// captured). The client mints a fresh one on every (re)connect. For Mosquitto, which cannot run
// this check, `staticPassword` derives a per-client password from the same seed instead.
import { sign as nodeSign, verify as nodeVerify, createHash, type KeyObject } from 'node:crypto';
import { encodeCanonical, decodeBounded } from './cbor.js';
import { bytesEqual } from './bytes.js';
import { isId } from './ids.js';

const CONTEXT = 'edgechain-fl/mqtt';
/** How far a token's issue time may be from the broker's clock. */
export const TOKEN_WINDOW_S = 300;
const MAX_TOKEN_CHARS = 512;

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64url');

/** Signs a connection token for `id` on the chain `chain` at `nowMs`.
 *  @example connect({ username: 'dev-00001', password: mintToken('dev-00001', chain, key) }) */
export function mintToken(id: string, chain: Uint8Array, privateKey: KeyObject, nowMs = Date.now()): string {
  const body = encodeCanonical([CONTEXT, id, chain, Math.floor(nowMs / 1000)]);
  return `${b64(body)}.${b64(new Uint8Array(nodeSign(null, body, privateKey)))}`;
}

/** Why a token was refused (stable codes for the broker's log). */
export type TokenRefusal = 'malformed' | 'wrong_id' | 'wrong_chain' | 'expired' | 'unknown_client' | 'bad_signature';

/** Checks a token presented as the password of `id`; returns undefined when it holds.
 *  `keyOf` gives the registered key of an id (undefined: not registered). Never throws. */
export function checkToken(token: string, id: string, chain: Uint8Array, keyOf: (id: string) => KeyObject | undefined, nowMs = Date.now()): TokenRefusal | undefined {
  // canonical form only: Node's base64url decoder skips stray characters, so a token is
  // re-encoded and compared (one token string per signed body)
  if (token.length > MAX_TOKEN_CHARS || !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token)) return 'malformed';
  const dot = token.indexOf('.');
  let v: unknown, body: Uint8Array, sig: Uint8Array;
  try {
    body = new Uint8Array(Buffer.from(token.slice(0, dot), 'base64url'));
    sig = new Uint8Array(Buffer.from(token.slice(dot + 1), 'base64url'));
    v = decodeBounded(body, 256, { maxDepth: 1, maxItems: 5 });
  } catch { return 'malformed'; }
  if (`${b64(body)}.${b64(sig)}` !== token) return 'malformed';
  if (!Array.isArray(v) || v.length !== 4 || v[0] !== CONTEXT || typeof v[1] !== 'string' || !isId(v[1]) || !(v[2] instanceof Uint8Array) || !Number.isSafeInteger(v[3]) || sig.length !== 64) return 'malformed';
  if (v[1] !== id) return 'wrong_id';
  if (!bytesEqual(v[2], chain)) return 'wrong_chain';
  if (Math.abs(nowMs / 1000 - (v[3] as number)) > TOKEN_WINDOW_S) return 'expired';
  const key = keyOf(id);
  if (!key) return 'unknown_client';
  return nodeVerify(null, body, key, sig) ? undefined : 'bad_signature';
}

/** A static per-client password derived from the client's key seed, for brokers that only
 *  compare passwords (Mosquitto's password_file): SHA-256("edgechain-fl/mqtt-password" ‖ chain ‖ seed), hex. */
export function staticPassword(chain: Uint8Array, seed: Uint8Array): string {
  return createHash('sha256').update(`${CONTEXT}-password`).update(chain).update(seed).digest('hex');
}

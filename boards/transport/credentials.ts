// What a board or gateway presents to a secured broker (docs/protocol.md §Broker security):
// `token` — a fresh Ed25519-signed token per (re)connect, for the embedded aedes broker;
// `password` — the static password derived from the key seed, for Mosquitto's password_file
// (generated from the genesis and the provisioning seeds by `npm run broker-config`).
import { readFileSync } from 'node:fs';
import { mintToken, staticPassword } from '../../protocol/broker-token.js';
import { ed25519FromSeed } from '../../protocol/keys.js';
import type { MqttTransportOptions } from './mqtt.js';

export type BrokerAuth = 'none' | 'token' | 'password';
export const BROKER_AUTHS: readonly BrokerAuth[] = ['none', 'token', 'password'];

/** Transport options for client `id` (username = the registered id) with its key `seed` on `chain`;
 *  `caFile` is the PEM certificate of a TLS broker. Throws RangeError on an unknown mode. */
export function brokerOptions(mode: string, id: string, chain: Uint8Array, seed: Uint8Array, caFile?: string): Pick<MqttTransportOptions, 'auth' | 'ca'> {
  if (!(BROKER_AUTHS as readonly string[]).includes(mode)) throw new RangeError(`--broker-auth must be one of ${BROKER_AUTHS.join(', ')}`);
  const ca = caFile ? readFileSync(caFile) : undefined;
  if (mode === 'none') return ca ? { ca } : {};
  // aedes: username = the registered id, the token names it; Mosquitto: username = the client
  // id (it binds the two), one password-file entry per connection (`gw-0~hello` included)
  if (mode === 'password') { const pw = staticPassword(chain, seed); return { auth: { username: id, password: () => pw }, ...(ca ? { ca } : {}) }; }
  const user = id.split('~')[0];
  const key = ed25519FromSeed(seed).privateKey;
  return { auth: { username: user, password: () => mintToken(user, chain, key) }, ...(ca ? { ca } : {}) };
}

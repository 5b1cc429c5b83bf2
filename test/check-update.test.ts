// Unit tests of the gateway's admission rules (gateway/check-update.ts): one case per reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sha256 } from '@noble/hashes/sha2.js';
import { checkUpdate, type RoundContext } from '../gateway/round/check-update.js';
import { signSign1 } from '../protocol/cose.js';
import { encodeUpdate, type UpdateFields } from '../protocol/update.js';
import { ed25519FromSeed } from '../protocol/keys.js';
import { FirmwareInstance } from '../boards/firmware/instance.js';
import { Kernel } from '../boards/firmware/kernel.js';
import { decodeModel, encodeModel } from '../protocol/model-blob.js';

const fw = new FirmwareInstance();
const base = Kernel.initialModel(fw, { arch: 'logreg', inputs: 784, outputs: 10, seed: 1 });
const baseHash = sha256(base);
const dev = ed25519FromSeed(new Uint8Array(32).fill(1));
const rogue = ed25519FromSeed(new Uint8Array(32).fill(2));
const kid = new TextEncoder().encode('dev-a');
const baseDecoded = decodeModel(base);

function ctx(over: Partial<RoundContext> = {}): RoundContext {
  return {
    task: 't', round: 2, baseHash, baseHeader: baseDecoded.header, maxBytes: 64 * 1024,
    device: (id) => (id === 'dev-a' ? { key: dev.publicKey, counter: 5 } : undefined),
    hasUpdate: () => false, ...over,
  };
}
const fields = (over: Partial<UpdateFields> = {}): UpdateFields => ({ task: 't', round: 2, base: baseHash, n: 50, model: base, ctr: 6, metrics: {}, ...over });
const signed = (f: UpdateFields, key = dev.privateKey, k = kid) => signSign1(k, encodeUpdate(f), key);

function reason(bytes: Uint8Array, topic = 'dev-a', c = ctx()): string {
  const v = checkUpdate(bytes, topic, c);
  return v.ok ? 'ok' : v.reason;
}

test('a well-formed update is accepted with its params and hashes', () => {
  const msg = signed(fields());
  const v = checkUpdate(msg, 'dev-a', ctx());
  assert.ok(v.ok);
  if (!v.ok) return;
  assert.equal(v.update.deviceId, 'dev-a');
  assert.deepEqual(v.update.params, baseDecoded.params);
  assert.deepEqual(v.update.envelopeHash, sha256(msg));
  assert.deepEqual(v.update.updateHash, baseHash);
});

test('each admission rule rejects with its own reason', () => {
  assert.equal(reason(signed(fields()), 'dev-a', ctx({ maxBytes: 100 })), 'too_large');
  assert.equal(reason(Uint8Array.from([0xd2, 0x84, 0x40])), 'truncated');
  assert.equal(reason(Uint8Array.from([0x01, 0x02])), 'malformed_cbor');
  assert.equal(reason(Uint8Array.from([0x82, 0x01, 0x02])), 'not_cose_sign1');
  assert.equal(reason(signed(fields()), 'dev-b'), 'topic_mismatch');
  assert.equal(reason(signed(fields(), rogue.privateKey, new TextEncoder().encode('dev-z')), 'dev-z'), 'unknown_device');
  assert.equal(reason(signed(fields(), rogue.privateKey)), 'bad_signature');
  assert.equal(reason(signed(fields({ task: 'other' }))), 'wrong_task');
  assert.equal(reason(signed(fields({ ctr: 5 }))), 'replay');
  assert.equal(reason(signed(fields({ round: 1 }))), 'wrong_round');
  assert.equal(reason(signed(fields({ base: new Uint8Array(32) }))), 'stale_base');
  assert.equal(reason(signed(fields({ n: 0 }))), 'no_samples');
  assert.equal(reason(signed(fields()), 'dev-a', ctx({ hasUpdate: () => true })), 'duplicate');
  assert.equal(reason(signed(fields({ model: Uint8Array.from([1, 2, 3]) }))), 'bad_model');
  const other = Kernel.initialModel(fw, { arch: 'mlp', inputs: 784, hidden: 32, outputs: 10, seed: 1 });
  assert.equal(reason(signed(fields({ model: other }))), 'bad_model');
});

test('every single-bit flip of a valid update is rejected, never accepted or thrown', () => {
  const msg = signed(fields({ model: encodeModel(baseDecoded.header, baseDecoded.params.map((x, i) => (i % 7 === 0 ? 1 : x))) }));
  for (let i = 0; i < msg.length; i += Math.max(1, Math.floor(msg.length / 997))) {
    for (const bit of [0, 7]) {
      const bad = Uint8Array.from(msg); bad[i] ^= 1 << bit;
      const v = checkUpdate(bad, 'dev-a', ctx());
      assert.equal(v.ok, false, `flip byte ${i} bit ${bit} accepted`);
    }
  }
});

// The device agent's local DP (001 Eq. 3–5): delta clipped and noised in firmware, ε in metrics.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sha256 } from '@noble/hashes/sha2.js';
import { DeviceAgent } from '../boards/agent.js';
import { boardProfile } from '../boards/profiles.js';
import { DeviceSigner } from '../boards/firmware/signer.js';
import { FirmwareInstance } from '../boards/firmware/instance.js';
import { Kernel } from '../boards/firmware/kernel.js';
import { decodeModel } from '../protocol/model-blob.js';
import { parseSign1 } from '../protocol/cose.js';
import { decodeUpdate } from '../protocol/update.js';
import { ed25519FromSeed } from '../protocol/keys.js';
import { loadMnist, subset } from '../boards/data/mnist.js';

const data = subset(loadMnist(), Array.from({ length: 300 }, (_, i) => i * 33));
const base = Kernel.initialModel(new FirmwareInstance(), { arch: 'logreg', inputs: 784, outputs: 10, seed: 1 });

function agent(dp?: { epsilon: number; clipL1: number }) {
  return new DeviceAgent({
    id: 'dev-dp', task: 't', profile: boardProfile('emulated'), data, dp,
    train: { epochs: 1, batch: 32, lr: 0.5, seed: 1 },
    trust: { chain: new Uint8Array(32), gateways: new Map([['gw-0', ed25519FromSeed(new Uint8Array(32).fill(9)).publicKey]]) },
    signer: (fw) => { const s = new DeviceSigner(fw); s.provision(new Uint8Array(32).fill(4)); s.seedNoise(new Uint8Array(32).fill(5)); return s; },
  });
}
const updateOf = (env: Uint8Array) => decodeUpdate(parseSign1(env, 1 << 20).payload, 1 << 20);
const l1 = (a: Int32Array, b: Int32Array) => a.reduce((s, x, i) => s + Math.abs(x - b[i]), 0);

test('without DP the update is the trained model and reports no ε', () => {
  const u = updateOf(agent().trainRound(1, base, sha256(base)));
  assert.equal(u.metrics.eps_m, undefined);
  assert.ok(l1(decodeModel(u.model).params, decodeModel(base).params) > 0);
});

test('with DP the update carries ε×1000 and a clipped, noised delta; a fixed noise seed reproduces it', () => {
  const plain = decodeModel(updateOf(agent().trainRound(1, base, sha256(base))).model).params;
  const a = updateOf(agent({ epsilon: 50, clipL1: 200_000 }).trainRound(1, base, sha256(base)));
  const b = updateOf(agent({ epsilon: 50, clipL1: 200_000 }).trainRound(1, base, sha256(base)));
  assert.equal(a.metrics.eps_m, 50_000);
  assert.deepEqual(a.model, b.model, 'same noise seed → same update');
  const noisy = decodeModel(a.model).params;
  assert.notDeepEqual(noisy, plain);
  // noise scale 2C/ε = 8,000 per coordinate: the noised delta's L1 is far from the clipped 200,000
  const d = l1(noisy, decodeModel(base).params);
  assert.ok(d > 200_000, `noised delta L1 ${d}`);
});

test('DP options outside the firmware limits are refused up front with a clear error', () => {
  assert.throws(() => agent({ epsilon: 10_000, clipL1: 1000 }), /epsilon must be in \(0, 1000\]/);
  assert.throws(() => agent({ epsilon: 1, clipL1: 0.5 }), /L1 clip/);
});

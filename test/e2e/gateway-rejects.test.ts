// The gateway rejects tampered, unregistered, impostor and replayed updates, logs a reason
// for each, keeps serving, and every round still completes with the honest boards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import mqtt from 'mqtt';
import { runFederated } from '../../sim/run.js';
import { tempDir } from '../support/tmp.js';
import { updateFilter, updateTopic, deviceOfUpdateTopic } from '../../protocol/topics.js';
import { signSign1, parseSign1 } from '../../protocol/cose.js';
import { ed25519FromSeed } from '../../protocol/keys.js';

test('tampered, unregistered, impostor and replayed updates are rejected; rounds complete', async () => {
  const tmp = tempDir('e2e-reject-');
  const rejections: { device?: string; reason: string }[] = [];
  let attacker: mqtt.MqttClient | undefined;
  const rogue = ed25519FromSeed(new Uint8Array(32).fill(0xee));
  try {
    const r = await runFederated({ devices: 3, rounds: 3, alpha: 0.5, seed: 5, epochs: 1, roundTimeoutMs: 20_000, dataDir: tmp.dir }, {
      onReject: (e) => rejections.push(e),
      beforeRounds: async ({ brokerUrl, task }) => {
        attacker = await mqtt.connectAsync(brokerUrl, { clientId: 'attacker' });
        const seen = new Set<string>();
        let firstRound: Buffer | undefined;
        attacker.on('message', (topic, payload) => {
          const dev = deviceOfUpdateTopic(topic);
          if (dev !== 'dev-00000') return;
          const key = payload.toString('hex');
          if (seen.has(key)) return; // our own re-publications come back too
          const p = parseSign1(new Uint8Array(payload), 1 << 20);
          // 1. one flipped bit in the signed payload
          const flipped = Buffer.from(payload); flipped[flipped.length - 80] ^= 0x01;
          // 2. one flipped bit in the signature
          const badSig = Buffer.from(payload); badSig[badSig.length - 1] ^= 0x01;
          // 3. a valid COSE_Sign1 from a key nobody registered, on its own topic
          const unregistered = signSign1(new TextEncoder().encode('dev-99999'), p.payload, rogue.privateKey);
          // 4. an impostor: the rogue key claiming to be dev-0000
          const impostor = signSign1(p.kid, p.payload, rogue.privateKey);
          const out: [string, Uint8Array][] = [
            [topic, flipped], [topic, badSig], [updateTopic(task, 'dev-99999'), unregistered], [topic, impostor],
            [updateTopic(task, 'dev-00000'), Uint8Array.from([0xa1, 0x01])], // malformed CBOR
          ];
          // 5. replay: round 1's genuine update, re-sent in a later round
          if (!firstRound) firstRound = Buffer.from(payload);
          else out.push([topic, firstRound]);
          for (const [t, b] of out) { seen.add(Buffer.from(b).toString('hex')); attacker!.publish(t, Buffer.from(b), { qos: 1 }); }
          seen.add(key);
        });
        await attacker.subscribeAsync(updateFilter(task), { qos: 1 });
      },
    });
    assert.equal(r.rounds, 3);
    for (const s of r.summaries) assert.equal(s.accepted.length, 3, `round ${s.round}: honest updates still accepted`);
    assert.equal(r.ledger_verified, true);
    const reasons = new Set(rejections.map((x) => x.reason));
    for (const want of ['bad_signature', 'unknown_device', 'replay']) assert.ok(reasons.has(want), `no ${want} rejection in ${[...reasons]}`);
    assert.ok(reasons.has('malformed_cbor') || reasons.has('not_cose_sign1') || reasons.has('truncated'), `malformed CBOR not rejected: ${[...reasons]}`);
  } finally {
    await attacker?.endAsync();
    tmp.cleanup();
  }
});

// A live fuzz and bad-signature flood through the open embedded broker, straight at the gateway
// (no broker credentials, so nothing stands between the flood and admission: the worst case for
// the gateway). An attacker that subscribed to the update topics mutates the boards' real
// envelopes (byte flips, truncations, a flipped signature byte, junk) and publishes them on the
// registered devices' own update topics at ~5,000 messages/s for the whole run. Asserted: every
// round completes with every honest update accepted; the chain records only envelopes the boards
// themselves sent (byte for byte); the flood reached the gateway and was rejected by reason; the
// round summaries stay bounded (a sample of rejections, counts by reason) however large the flood;
// the process's memory stays bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import mqtt from 'mqtt';
import { runFederated } from '../../sim/run.js';
import { Ledger } from '../../gateway/ledger/index.js';
import { updateTopic } from '../../protocol/topics.js';
import { sha256, toHex } from '../../protocol/bytes.js';
import { tempDir } from '../support/tmp.js';

const DEVICES = 4, ROUNDS = 10, RATE_PER_10MS = 50;

test('live fuzz and bad-signature flood at the gateway: rounds complete, nothing forged is recorded, output and memory bounded', { timeout: 120_000 }, async () => {
  const tmp = tempDir('e2e-hostile-live-');
  let attacker: mqtt.MqttClient | undefined;
  let timer: NodeJS.Timeout | undefined;
  const sent = new Set<string>();          // hashes of what the attacker published
  const seen: Buffer[] = [];               // envelopes seen on the update topics (boards' and attacker's)
  const kinds = { flip: 0, truncate: 0, badSig: 0, junk: 0 };
  let seed = 0x2545f491;
  const rnd = (n: number) => { seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5; return (seed >>> 0) % n; };
  let rss0 = 0, rssMax = 0, atEnd = 0, echoed = 0, echoedAtEnd = 0;
  try {
    const r = await runFederated({ devices: DEVICES, rounds: ROUNDS, alpha: 0.5, seed: 8, epochs: 1, roundTimeoutMs: 20_000, dataDir: tmp.dir }, {
      // the flood stops when the last round is final (after it, nothing is admitted or counted)
      onRound: (s) => { if (s.round === ROUNDS) { clearInterval(timer); atEnd = kinds.flip + kinds.truncate + kinds.badSig + kinds.junk; echoedAtEnd = echoed; } },
      beforeRounds: async ({ brokerUrl, task }) => {
        attacker = await mqtt.connectAsync(brokerUrl, { clientId: 'attacker', reconnectPeriod: 0 });
        await attacker.subscribeAsync(`fl/${task}/update/+`, { qos: 0 });
        const honest: Buffer[] = [];
        attacker.on('message', (_t, p) => {
          seen.push(p);
          if (sent.has(toHex(sha256(p)))) echoed++;
          else { honest.push(p); if (honest.length > 64) honest.shift(); }
        });
        rss0 = process.memoryUsage().rss;
        timer = setInterval(() => {
          rssMax = Math.max(rssMax, process.memoryUsage().rss);
          for (let i = 0; i < RATE_PER_10MS; i++) {
            const base = honest.length ? honest[rnd(honest.length)] : undefined;
            let m: Buffer;
            const k = base ? rnd(4) : 3;
            if (k === 0) { m = Buffer.from(base!); for (let j = 1 + rnd(8); j > 0; j--) m[rnd(m.length)] ^= 1 + rnd(255); kinds.flip++; }
            else if (k === 1) { m = base!.subarray(0, rnd(base!.length)); kinds.truncate++; }
            else if (k === 2) { m = Buffer.from(base!); m[m.length - 1 - rnd(64)] ^= 1 + rnd(255); kinds.badSig++; }   // the signature's bytes
            else { m = Buffer.from(Array.from({ length: 1 + rnd(512) }, () => rnd(256))); kinds.junk++; }
            sent.add(toHex(sha256(m)));
            attacker!.publish(updateTopic(task, `dev-0000${rnd(DEVICES)}`), m, { qos: 0 });
          }
        }, 10);
      },
    });
    clearInterval(timer);
    assert.equal(r.rounds, ROUNDS);
    for (const s of r.summaries) assert.equal(s.accepted.length, DEVICES, `round ${s.round}: every honest update accepted under the flood`);
    assert.equal(r.ledger_verified, true);
    const total = r.summaries.reduce((a, s) => a + (s.rejectedTotal ?? s.rejected.length), 0);
    const flood = kinds.flip + kinds.truncate + kinds.badSig + kinds.junk;
    assert.ok(kinds.badSig > 100 && kinds.flip > 100, `the flood mutated real envelopes (${JSON.stringify(kinds)})`);
    // the broker delivers the flood to every subscriber alike: what reached the attacker's own
    // subscription by the last round is what the gateway had to check (its client buffers the rest)
    assert.ok(echoedAtEnd >= 300, `the flood went through the broker (${echoedAtEnd} of ${atEnd} by the last round)`);
    assert.ok(total >= echoedAtEnd / 2, `the gateway checked and rejected the flood: ${total} rejections, ${echoedAtEnd} delivered`);
    const reasons = new Set(r.summaries.flatMap((s) => Object.keys(s.rejectedCounts ?? {})));
    assert.ok(reasons.size >= 2, `rejected by reason: ${[...reasons]}`);
    for (const s of r.summaries) {
      assert.ok(s.rejected.length <= 256, `round ${s.round}: a bounded sample (${s.rejected.length} of ${s.rejectedTotal})`);
      assert.ok(JSON.stringify(s).length < 128 * 1024, `round ${s.round}: summary ${JSON.stringify(s).length} B`);
    }
    // memory: the whole process (boards, broker, gateway, attacker) stays within a bound during the flood
    const grown = rssMax - rss0;
    assert.ok(grown < 256 * 1024 * 1024, `RSS grew ${(grown / 2 ** 20).toFixed(0)} MiB during the flood`);
    // every update the chain records is an envelope a board sent, byte for byte
    const boards = new Set(seen.filter((p) => !sent.has(toHex(sha256(p)))).map((p) => toHex(sha256(p))));
    const l = await Ledger.open(tmp.dir);
    let recorded = 0;
    try {
      for (let h = 1; h <= l.height; h++) for (const tx of (await l.block(h)).txs) {
        if (tx.type !== 'update') continue;
        const eh = toHex((tx.body as { envelopeHash: Uint8Array }).envelopeHash);
        assert.ok(boards.has(eh), `height ${h}: recorded envelope ${eh.slice(0, 16)} was not sent by a board`);
        assert.ok(!sent.has(eh), 'no attacker envelope recorded');
        recorded++;
      }
    } finally { await l.close(); }
    assert.equal(recorded, DEVICES * ROUNDS);
    console.log(`live flood: ${flood} messages (${JSON.stringify(kinds)}) over ${r.seconds.toFixed(1)} s; by the last round ${atEnd} sent, ${echoedAtEnd} through the broker, ${total} rejected by the gateway (${[...reasons].join(', ')}); RSS +${(grown / 2 ** 20).toFixed(0)} MiB`);
  } finally {
    clearInterval(timer);
    attacker?.end(true);
    tmp.cleanup();
  }
});

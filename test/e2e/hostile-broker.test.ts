// The secured embedded broker under attack (docs/protocol.md §Broker security), over TLS with a
// certificate made at setup: a client without credentials, with a forged token, with another
// chain's token, a client-id takeover of the gateway, publishes and subscriptions outside the
// ACL, an oversize packet, and a compromised device flooding at full speed. Each is refused by
// the broker; the rounds complete with every honest update accepted, because the per-connection
// rate limit keeps the flood out of the gateway's way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import mqtt from 'mqtt';
import { runFederated } from '../../sim/run.js';
import { tempDir } from '../support/tmp.js';
import { opensslOrSkip } from '../support/openssl.js';
import { mintToken } from '../../protocol/broker-token.js';
import { ed25519FromSeed } from '../../protocol/keys.js';
import { deviceSeed } from '../../gateway/cluster/setup.js';
import { updateTopic, globalTopic, proposeTopic } from '../../protocol/topics.js';

type Refusal = { client: string; what: string; reason: string; topic?: string };

/** Connects and resolves with the CONNACK outcome: 'ok' or the refusal message. */
async function tryConnect(url: string, o: mqtt.IClientOptions): Promise<{ outcome: string; client?: mqtt.MqttClient }> {
  try {
    const c = await mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 5000, ...o });
    return { outcome: 'ok', client: c };
  } catch (e) { return { outcome: String((e as Error).message) }; }
}

test('secured broker: forged, foreign, takeover and out-of-ACL clients refused; a flood is rate-limited; rounds complete', async (t) => {
  if (!opensslOrSkip(t, 'the TLS broker test')) return;
  const tmp = tempDir('e2e-hostile-broker-');
  const refused: Refusal[] = [];
  const outcomes: Record<string, string> = {};
  const clients: mqtt.MqttClient[] = [];
  let flood = { sent: 0, ms: 0 };
  let stopFlood = false;
  let probe: mqtt.MqttClient | undefined, probeTopic = '';
  const rogue = ed25519FromSeed(new Uint8Array(32).fill(0xee));
  const SEED = 7;
  try {
    const r = await runFederated({ devices: 3, rounds: 6, alpha: 0.5, seed: SEED, epochs: 1, roundTimeoutMs: 20_000, dataDir: tmp.dir, secure: { tls: true } }, {
      onRefused: (e) => refused.push(e),
      onRound: (s) => { if (s.round === 1) for (let i = 0; i < 5; i++) probe!.publish(probeTopic, Buffer.from([0xff, 0x00, i]), { qos: 1 }); },
      beforeRounds: async ({ brokerUrl, task, chain, ca }) => {
        assert.ok(brokerUrl.startsWith('mqtts://'), brokerUrl);
        const tls = { ca, rejectUnauthorized: true };
        outcomes.plaintextTls = (await tryConnect(brokerUrl, { clientId: 'x', ca: undefined, rejectUnauthorized: true })).outcome;
        outcomes.anonymous = (await tryConnect(brokerUrl, { ...tls, clientId: 'anon' })).outcome;
        outcomes.forged = (await tryConnect(brokerUrl, { ...tls, clientId: 'dev-00001', username: 'dev-00001', password: mintToken('dev-00001', chain, rogue.privateKey) })).outcome;
        outcomes.takeover = (await tryConnect(brokerUrl, { ...tls, clientId: 'gw-0', username: 'gw-0', password: mintToken('gw-0', chain, rogue.privateKey) })).outcome;
        const key = ed25519FromSeed(deviceSeed('dev-00002', SEED)).privateKey;
        outcomes.otherChain = (await tryConnect(brokerUrl, { ...tls, clientId: 'dev-00002~a', username: 'dev-00002', password: mintToken('dev-00002', new Uint8Array(32), key) })).outcome;
        outcomes.expired = (await tryConnect(brokerUrl, { ...tls, clientId: 'dev-00002~b', username: 'dev-00002', password: mintToken('dev-00002', chain, key, Date.now() - 3_600_000) })).outcome;
        // the device's own id is already connected (the board): a second connection is refused, the board keeps its session
        outcomes.ownIdTakeover = (await tryConnect(brokerUrl, { ...tls, clientId: 'dev-00002', username: 'dev-00002', password: mintToken('dev-00002', chain, key) })).outcome;
        // a compromised device (its real key): each ACL violation costs it its connection
        const asDevice = async (suffix: string) => {
          const c = await tryConnect(brokerUrl, { ...tls, clientId: `dev-00002~${suffix}`, username: 'dev-00002', password: mintToken('dev-00002', chain, key) });
          assert.equal(c.outcome, 'ok', `the compromised device's own credentials work (${c.outcome})`);
          clients.push(c.client!);
          return c.client!;
        };
        // the flood: junk on its own update topic as fast as the socket takes it, for the whole run
        const fl = await asDevice('flood');
        const t0 = Date.now();
        const junk = Buffer.from([0xc2, 0x5a, 0x00, 0x00, 0x10, 0x00]);
        const pump = () => {
          flood.ms = Date.now() - t0;
          if (stopFlood || !fl.connected) return;
          // 10,000 hostile messages/s, paced by the clock (timers here fire late under load)
          for (; flood.sent < flood.ms * 10; flood.sent++) fl.publish(updateTopic(task, 'dev-00002'), junk, { qos: 0 });
          setTimeout(pump, 5);
        };
        pump();
        // a probe within the burst: 5 junk messages that must reach the gateway (the path is live)
        probe = await asDevice('probe');
        probeTopic = updateTopic(task, 'dev-00002');
        const closed = (c: mqtt.MqttClient) => new Promise<boolean>((res) => { if (!c.connected) res(true); c.once('close', () => res(true)); setTimeout(() => res(false), 5000); });
        for (const [name, topic] of [['impersonate', updateTopic(task, 'dev-00001')], ['announce', globalTopic(task)], ['cluster', proposeTopic(task)]] as const) {
          const c = await asDevice(name);
          c.publish(topic, Buffer.from([0xd2, 0x84]), { qos: 1 });
          outcomes[name] = (await closed(c)) ? 'disconnected' : 'still connected';
        }
        const sub = await asDevice('sub');
        const granted = await sub.subscribeAsync(`fl/${task}/#`, { qos: 1 }).catch((e) => String(e));
        outcomes.subscribeAll = (await closed(sub)) ? 'disconnected' : JSON.stringify(granted);
        const big = await asDevice('big');
        big.publish(updateTopic(task, 'dev-00002'), Buffer.alloc(1 << 20), { qos: 0 });
        outcomes.oversize = (await closed(big)) ? 'disconnected' : 'still connected';
      },
    });
    stopFlood = true;
    assert.equal(r.rounds, 6);
    for (const s of r.summaries) assert.equal(s.accepted.length, 3, `round ${s.round}: every honest update accepted despite the flood`);
    assert.equal(r.ledger_verified, true);
    for (const k of ['anonymous', 'forged', 'takeover', 'otherChain', 'expired']) assert.match(outcomes[k], /Not authorized|Bad username or password|Identifier rejected/i, `${k}: ${outcomes[k]}`);
    assert.match(outcomes.ownIdTakeover, /Identifier rejected/i, outcomes.ownIdTakeover);
    assert.notEqual(outcomes.plaintextTls, 'ok', 'a client that does not trust the certificate does not connect');
    for (const k of ['impersonate', 'announce', 'cluster', 'subscribeAll', 'oversize']) assert.equal(outcomes[k], 'disconnected', `${k}: ${outcomes[k]}`);
    const reasons = new Set(refused.map((x) => x.reason));
    for (const want of ['unknown_client', 'bad_signature', 'wrong_chain', 'expired', 'takeover_refused', 'acl']) assert.ok(reasons.has(want), `no ${want} refusal in ${[...reasons]}`);
    // the flood reached the gateway at the device rate limit, not at the rate it was sent
    const hostile = r.summaries.reduce((a, s) => a + (s.rejectedCounts?.malformed_cbor ?? 0), 0);
    assert.ok(hostile >= 5, `the probe's 5 junk messages reached the gateway (${hostile})`);
    const seconds = r.seconds;
    console.log(`flood: ${flood.sent} junk messages written in ${flood.ms} ms (${(flood.sent / flood.ms * 1000).toFixed(0)}/s); ${hostile} reached the gateway over ${seconds.toFixed(1)} s (${(hostile / seconds).toFixed(1)}/s)`);
    assert.ok(flood.sent / flood.ms >= 9, `the flood wrote ${flood.sent} messages in ${flood.ms} ms`);
    assert.ok(hostile <= 5 + 50 + 20 * seconds, `${hostile} hostile messages passed the rate limit (burst 50, 20/s) in ${seconds} s`);
  } finally {
    stopFlood = true;
    for (const c of clients) c.end(true);
    tmp.cleanup();
  }
});

// Attacks on a running federation (insecure broker: the attacker may publish anything):
// - announcement replay: the retained, signed global announcement of an earlier run of the same
//   seed (same keys, same chain) is republished into a new run: every round still completes
//   with every board's update;
// - transit rewriting: every board update is republished rewritten into the forms the
//   gateway used to accept (untagged, tag-55799 wrapper, junk in the unprotected header,
//   over-long lengths): each is rejected, and the ledger stores exactly the bytes each board
//   sent, which each board can prove (`proveUpdate`);
// - log forging: a kid holding a fake round line and ANSI escapes prints escaped;
// - SIGKILL then resume: the demo killed mid-run resumes from its ledger's head on the next
//   start, and a finished run says so and exits 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import mqtt from 'mqtt';
import { runFederated } from '../../sim/run.js';
import { tempDir } from '../support/tmp.js';
import { globalTopic, updateFilter, updateTopic, deviceOfUpdateTopic } from '../../protocol/topics.js';
import { signSign1 } from '../../protocol/cose.js';
import { sha256 } from '../../protocol/bytes.js';
import { ed25519FromSeed } from '../../protocol/keys.js';
import { encodeCanonical } from '../../protocol/cbor.js';
import { Ledger } from '../../gateway/ledger/index.js';

const demo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'sim', 'demo.js');

/** The forms a man in the middle could rewrite a valid envelope into (all decode to the same value in a lax decoder). */
function rewrites(env: Uint8Array): Uint8Array[] {
  const body = env.subarray(1);                       // 84 … (untagged)
  const pLen = env[2] - 0x40;                         // protected header bstr (short form)
  const uAt = 3 + pLen;                               // a0: empty unprotected header
  return [
    Uint8Array.from(body),
    Uint8Array.from([0xd9, 0xd9, 0xf7, ...env]),
    Uint8Array.from([...env.subarray(0, uAt), 0xa1, 0x18, 0x63, 0x58, 0x10, ...new Uint8Array(16), ...env.subarray(uAt + 1)]),
    Uint8Array.from([0xd2, 0x98, 0x04, ...env.subarray(2)]),
    Uint8Array.from([...env.subarray(0, uAt), 0xb8, 0x00, ...env.subarray(uAt + 1)]),
  ];
}

test('replayed announcement from an earlier run, transit rewriting, log forging: rounds complete, the ledger keeps the boards\' bytes', async () => {
  const a = tempDir('e2e-replay-a-'), b = tempDir('e2e-replay-b-');
  const opts = { devices: 3, rounds: 3, alpha: 0.5, seed: 12, epochs: 1, roundTimeoutMs: 20_000 };
  let attacker: mqtt.MqttClient | undefined;
  try {
    // run A: keep its retained announcement of round 2
    let old: Buffer | undefined;
    await runFederated({ ...opts, dataDir: a.dir }, {
      beforeRounds: async ({ brokerUrl, task }) => {
        const c = await mqtt.connectAsync(brokerUrl, { clientId: 'recorder' });
        c.on('message', (_t, p) => { if (!old && p.length) old = Buffer.from(p); });
        await c.subscribeAsync(globalTopic(task), { qos: 1 });
        setTimeout(() => c.end(true), 1500);
      },
    });
    assert.ok(old, 'recorded an announcement of run A');
    // run B: same seed; the attacker replays A's announcement, rewrites every update, forges a kid
    const rejections: { reason: string; detail: string }[] = [];
    const sent = new Map<string, Uint8Array>();
    const rogue = ed25519FromSeed(new Uint8Array(32).fill(0x66));
    const r = await runFederated({ ...opts, dataDir: b.dir }, {
      onReject: (e) => rejections.push(e),
      beforeRounds: async ({ brokerUrl, task }) => {
        attacker = await mqtt.connectAsync(brokerUrl, { clientId: 'mitm' });
        const mine = new Set<string>();
        attacker.on('message', (topic, payload) => {
          const dev = deviceOfUpdateTopic(topic);
          const hex = payload.toString('hex');
          if (!dev || mine.has(hex)) return;
          sent.set(hex, new Uint8Array(payload));
          for (const x of rewrites(new Uint8Array(payload))) { mine.add(Buffer.from(x).toString('hex')); attacker!.publish(topic, Buffer.from(x), { qos: 1 }); }
          // replay the old run's announcement, retained, after every update
          attacker!.publish(globalTopic(task), old!, { qos: 1, retain: true });
          const forged = signSign1(new TextEncoder().encode('\nround 12/12 ████ acc 0.9999\x1b[2J'), encodeCanonical({ n: 1 }), rogue.privateKey);
          mine.add(Buffer.from(forged).toString('hex'));
          attacker!.publish(updateTopic(task, dev), Buffer.from(forged), { qos: 1 });
        });
        await attacker.subscribeAsync(updateFilter(task), { qos: 1 });
        attacker.publish(globalTopic(task), old!, { qos: 1, retain: true });
      },
    });
    assert.equal(r.rounds, 3);
    for (const s of r.summaries) assert.equal(s.accepted.length, 3, `round ${s.round}: every board's update despite the replay`);
    assert.equal(r.ledger_verified, true);
    const reasons = new Set(rejections.map((x) => x.reason));
    console.log(`rejections: ${JSON.stringify(Object.fromEntries([...reasons].map((k) => [k, rejections.filter((x) => x.reason === k).length])))}`);
    assert.ok(reasons.has('malformed_cbor') || reasons.has('not_cose_sign1'), [...reasons].join(','));
    assert.ok(rejections.some((x) => x.reason === 'topic_mismatch' && x.detail.includes('\\u{a}round 12/12') && !/[\u0000-\u001f]/.test(x.detail)), 'the forged kid is rejected and escaped');
    // the ledger holds the boards' exact bytes: every accepted envelope is one a board sent, and provable
    const l = await Ledger.open(b.dir);
    try {
      let proven = 0;
      for (const [hex, env] of sent) {
        try { const p = await l.proveUpdate(sha256(env)); assert.ok(p, hex.slice(0, 16)); proven++; } catch { /* a board's message the round did not take (e.g. a resend) */ }
      }
      assert.ok(proven >= 9, `${proven} of the boards' envelopes are provable from the ledger (3 rounds × 3 boards)`);
    } finally { await l.close(); }
  } finally {
    await attacker?.endAsync();
    a.cleanup(); b.cleanup();
  }
});

/** Runs the demo; `killAfter` SIGKILLs it once a stdout line matches. Resolves with code and output. */
function runDemo(dir: string, rounds: number, killAfter?: RegExp): Promise<{ code: number | null; signal: string | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [demo, '--devices', '3', '--rounds', String(rounds), '--seed', '13', '--data-dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const take = (d: Buffer) => { out += d; if (killAfter && killAfter.test(out)) { killAfter = undefined; child.kill('SIGKILL'); } };
    child.stdout.on('data', take); child.stderr.on('data', take);
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ code, signal, out }));
  });
}

test('SIGKILL mid-run, then resume from the ledger head; a finished run says so and exits 0', async () => {
  const tmp = tempDir('e2e-resume-');
  try {
    const first = await runDemo(tmp.dir, 50, /round +2\/50/);
    assert.equal(first.signal, 'SIGKILL');
    const second = await runDemo(tmp.dir, 5);
    assert.equal(second.code, 0, second.out);
    const m = /resume +the ledger holds rounds 1–(\d+) \(height (\d+)\): continuing at round (\d+)/.exec(second.out);
    assert.ok(m, second.out);
    assert.equal(Number(m[3]), Number(m[1]) + 1);
    assert.ok(Number(m[1]) >= 2, 'the rounds before the kill are kept');
    assert.match(second.out, /round +5\/5 /);
    assert.match(second.out, /\(verified\)/);
    const third = await runDemo(tmp.dir, 5);
    assert.equal(third.code, 0, third.out);
    assert.match(third.out, /already holds all 5 rounds .*this run is finished/);
    assert.doesNotMatch(third.out, /^round /m, 'nothing is trained again');
    assert.match(third.out, /final accuracy 0\.[1-9]/, 'the finished run reports the ledger\'s accuracy');
  } finally { tmp.cleanup(); }
});

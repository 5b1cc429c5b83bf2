// A federated run through a real Mosquitto broker in which two boards are the C host under WAMR
// (boards/hosts/wamr, edgechain-board) and two are Node boards. Checked against an all-Node run
// with the same seed: every C update is accepted and byte-identical to the Node board's update
// for that device and round, and the final accuracy matches (within 1 point; in fact equal).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import mqtt from 'mqtt';
import { runFederated, TRAIN, DEFAULT_TASK, type RunOptions, type RunResult } from '../../sim/run.js';
import { loadMnist, subset } from '../../boards/data/mnist.js';
import { trainTestSplit } from '../../boards/data/split.js';
import { partition } from '../../boards/data/partition.js';
import { ed25519FromSeed } from '../../protocol/keys.js';
import { deviceId } from '../../protocol/ids.js';
import { gatewaySeed, deviceSeed } from '../../gateway/cluster/setup.js';
import { parseSign1 } from '../../protocol/cose.js';
import { decodeUpdate } from '../../protocol/update.js';
import { updateFilter, deviceOfUpdateTopic } from '../../protocol/topics.js';
import { encodeDatasetFile } from '../../boards/hosts/dataset-file.js';
import { firmwarePath } from '../../boards/firmware/instance.js';
import { startMosquitto } from '../support/mosquitto.js';
import { buildWamrHost, missing, REPO } from '../support/wamr.js';
import { tempDir } from '../support/tmp.js';

const C_BOARDS = [0, 1];
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** Runs `run` while recording every update published on the broker, by device and round. */
async function recording(url: string, run: () => Promise<RunResult>): Promise<{ r: RunResult; updates: Map<string, Buffer> }> {
  const updates = new Map<string, Buffer>();
  const c = await mqtt.connectAsync(url, { clientId: `observer-${process.pid}-${Date.now()}` });
  c.on('message', (topic, payload) => {
    const dev = deviceOfUpdateTopic(topic);
    const round = decodeUpdate(parseSign1(new Uint8Array(payload), 1 << 22).payload, 1 << 22).round;
    updates.set(`${dev}/${round}`, Buffer.from(payload));
  });
  await c.subscribeAsync(updateFilter(DEFAULT_TASK), { qos: 1 });
  try { return { r: await run(), updates }; } finally { await c.endAsync(); }
}

interface CBoard { id: string; proc: ChildProcess; events: any[]; exited: Promise<number | null> }

/** Starts edgechain-board for device i with the identity, shard and settings runFederated gives it. */
async function startCBoard(bin: string, dir: string, url: string, o: RunOptions, i: number, publicKey: string): Promise<CBoard> {
  const { train } = trainTestSplit(loadMnist(), 0.2, o.seed);
  const shards = partition(train, o.devices, { kind: 'dirichlet', alpha: o.alpha }, o.seed);
  const id = deviceId(i);
  const data = join(dir, `${id}.efds`), key = join(dir, `${id}.seed`);
  writeFileSync(data, encodeDatasetFile(subset(train, shards[i])));
  writeFileSync(key, hex(deviceSeed(id, o.seed)));
  const proc = spawn(bin, ['--wasm', firmwarePath('release'), '--data', data, '--id', id, '--key-file', key,
    '--gateway-key', hex(ed25519FromSeed(gatewaySeed(0, o.seed)).publicRaw), '--broker', url, '--task', DEFAULT_TASK,
    '--epochs', String(o.epochs), '--batch', String(TRAIN.batch), '--lr', String(TRAIN.lr), '--train-seed', String(o.seed * 1000 + i)],
  { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  const events: any[] = [];
  let stderr = '';
  proc.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((res) => proc.on('exit', (code) => res(code)));
  const ready = new Promise<void>((res, rej) => {
    createInterface({ input: proc.stdout! }).on('line', (l) => {
      const e = JSON.parse(l);
      events.push(e);
      if (e.event === 'ready') res();
    });
    exited.then((code) => rej(new Error(`${id} exited with ${code} before ready: ${stderr}`)));
  });
  await ready;
  const ev = events.find((e) => e.event === 'ready');
  assert.equal(ev.public_key, publicKey, `${id}: the C host derived another key`);
  return { id, proc, events, exited };
}

test('federated run over Mosquitto with 2 C boards under WAMR and 2 Node boards', async (t) => {
  const host = buildWamrHost();
  if (!host) { t.skip('WAMR host not built'); return; }
  if (!host.board) { missing('libmosquitto-dev not installed', 'apt-get install -y libmosquitto-dev'); t.skip('no edgechain-board'); return; }
  const o: RunOptions = { devices: 4, rounds: 3, alpha: 0.5, seed: 4, epochs: 1, roundTimeoutMs: 30_000 };
  const tmp = tempDir('e2e-wamr-');
  // two brokers: the first run's retained "done" must not reach the second run's boards
  const mRef = await startMosquitto();
  if (!mRef) { t.skip('mosquitto not installed'); tmp.cleanup(); return; }
  const mMix = (await startMosquitto())!;
  const boards: CBoard[] = [];
  try {
    const ref = await recording(mRef.url, () => runFederated({ ...o, broker: mRef.url, dataDir: join(tmp.dir, 'ref') }));
    const mix = await recording(mMix.url, () => runFederated({ ...o, broker: mMix.url, dataDir: join(tmp.dir, 'mix') }, {
      // swap the Node boards 0 and 1 for C hosts with the same identity and data before round 1
      beforeRounds: async ({ agents }) => {
        for (const i of C_BOARDS) {
          await agents[i].close();
          boards.push(await startCBoard(host.board!, tmp.dir, mMix.url, o, i, hex(agents[i].publicKey())));
        }
      },
    }));
    t.diagnostic(`runs: all-Node ${ref.r.seconds} s, mixed ${mix.r.seconds} s`);
    const codes = await Promise.all(boards.map((b) => Promise.race([b.exited, new Promise((r) => setTimeout(() => r('timeout'), 15_000).unref())])));
    assert.deepEqual(codes, boards.map(() => 0), 'the C boards exit 0 on the gateway\'s done');

    for (const r of [ref.r, mix.r]) {
      assert.equal(r.rounds, o.rounds);
      assert.equal(r.ledger_verified, true);
      for (const s of r.summaries) { assert.equal(s.accepted.length, o.devices); assert.deepEqual(s.rejected, []); }
    }
    for (const b of boards) {
      const ups = b.events.filter((e) => e.event === 'update');
      assert.deepEqual(ups.map((e) => e.round), [1, 2, 3], `${b.id}: ${JSON.stringify(b.events)}`);
      assert.equal(b.events.filter((e) => /reject|error/.test(e.event)).length, 0);
      const mem = b.events.find((e) => e.event === 'exit').memory;
      t.diagnostic(`${b.id} under WAMR: ${JSON.stringify(mem)}`);
      for (let round = 1; round <= o.rounds; round++) {
        const mine = mix.updates.get(`${b.id}/${round}`), node = ref.updates.get(`${b.id}/${round}`);
        assert.ok(mine && node, `${b.id} round ${round} missing`);
        assert.ok(mine.equals(node), `${b.id} round ${round}: the C host's update differs from the Node board's`);
      }
    }
    assert.deepEqual(mix.r.summaries.map((s) => s.modelHash), ref.r.summaries.map((s) => s.modelHash));
    t.diagnostic(`final accuracy: mixed ${mix.r.final_accuracy}, all-Node ${ref.r.final_accuracy}`);
    assert.ok(Math.abs(mix.r.final_accuracy - ref.r.final_accuracy) <= 0.01);
    assert.ok(mix.r.final_accuracy > 0.6);
  } finally {
    for (const b of boards) if (b.proc.exitCode === null) b.proc.kill('SIGTERM');
    await mRef.stop();
    await mMix.stop();
    tmp.cleanup();
  }
});

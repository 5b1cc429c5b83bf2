// Consensus benchmark (issue 6 §7): per engine, for 10/100/1000 devices and 4/7 gateways, the
// time from a round's close (all updates admitted on gateway 0) to BFT finality on gateway 0,
// excluding training and device-side evaluation, plus the gateway-to-gateway messages and
// bytes per round (proposals with evidence, votes). All G gateways run in this one process over
// an embedded aedes broker, so their verification work is serialised on one core: an upper bound.
// The model is a 64-input logistic regression (650 parameters) so 1,000-device rounds fit the
// bench budget; the 100-device / 4-gateway target is also measured with the full MNIST model.
// Devices are emulated by one client that publishes signed COSE updates (random perturbations of
// the global model) and answers the evidence protocols over the broker — BFLC score sheets, PoQ
// reports and approvals — whose traffic is reported as the devices' evidence messages and bytes.
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedBroker } from '../gateway/broker.js';
import { Ledger, registrationTx, nodeSigner, verifySig } from '../gateway/ledger/index.js';
import { ed25519FromSeed, demoSeed } from '../protocol/keys.js';
import { signSign1 } from '../protocol/cose.js';
import { encodeUpdate } from '../protocol/update.js';
import { decodeAnnouncement } from '../protocol/announcement.js';
import { globalTopic, updateTopic } from '../protocol/topics.js';
import { aggregator } from '../gateway/aggregate/index.js';
import { gatewayNode } from '../gateway/node.js';
import type { BftFinality } from '../gateway/finality/bft.js';
import { MqttTransport } from '../boards/transport/mqtt.js';
import { signScoreSheet, encodeSheets } from '../protocol/score-sheet.js';
import { decodeValidate } from '../protocol/validate.js';
import { signReport, encodeReport, decodeAudit, blockDigest, encodeApproval } from '../protocol/poq.js';
import { encodeCanonical } from '../protocol/cbor.js';
import { sha256 } from '../protocol/bytes.js';
import { parseTopic, validateTopic, auditTopic, scoreTopic, reportTopic, approveTopic } from '../protocol/topics.js';
import { deviceId } from '../protocol/ids.js';
import { MAX_ANNOUNCEMENT_BYTES } from '../protocol/limits.js';
import type { EngineName } from '../gateway/consensus/engine.js';
import { clusterGenesis, gatewayId, makeEngine } from '../gateway/cluster/setup.js';
import { FirmwareInstance } from '../boards/firmware/instance.js';
import { Kernel } from '../boards/firmware/kernel.js';
import { decodeModel, encodeModel } from '../protocol/model-blob.js';
import { Rng } from '../boards/data/rng.js';
import type { BenchSuite } from './index.js';

const TASK = 'bench-cons';

interface Figures { ms: number; cpuMs: number; verifies: number; msgs: number; bytes: number; deviceMsgs: number; deviceBytes: number }

// Ed25519 verifications on this thread (the one event loop all gateways share; the signature
// pool's threads have their own node:crypto and are not counted): node:crypto's `verify` is
// wrapped once, which every import of it sees (syncBuiltinESMExports). A deterministic figure
// beside the timings, which a busy host moves by up to 2×.
let verifications = 0;
let counting = false;
function countVerifications(): void {
  if (counting) return;
  counting = true;
  const c = createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
  const verify = c.verify;
  c.verify = ((...a: Parameters<typeof verify>) => { verifications++; return verify(...a); }) as typeof verify;
  syncBuiltinESMExports();
}

async function one(engine: EngineName, devices: number, G: number, rounds: number, inputs = 64): Promise<Figures> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-cons-'));
  const broker = await startEmbeddedBroker();
  const seed = 9;
  const ids = Array.from({ length: devices }, (_, i) => deviceId(i));
  const devKeys = ids.map((id) => ed25519FromSeed(demoSeed(id, seed)));
  const devSigners = ids.map((id) => nodeSigner(id, demoSeed(id, seed)));
  const gws = Array.from({ length: G }, (_, g) => nodeSigner(gatewayId(g), demoSeed(`gateway-${g}`, seed)));
  const gwKeys = Array.from({ length: G }, (_, g) => ed25519FromSeed(demoSeed(`gateway-${g}`, seed)));
  const genesis = clusterGenesis(seed, G, engine, TASK);
  const ledgers: Ledger[] = [];
  for (let g = 0; g < G; g++) ledgers.push(await Ledger.open(join(dir, gatewayId(g)), { genesis, envelopes: 'off' }));
  const reg = await ledgers[0].append(gws[0], ids.map((id, i) => registrationTx(gws[0], { id, publicKey: devKeys[i].publicRaw, profile: { categories: ['mnist'], types: ['image/u8'], size: 100 } })), { round: 0, committee: gws.map((s) => s.id), approvers: gws }, 0);
  for (let g = 1; g < G; g++) await ledgers[g].importBlock(reg);
  const fw = new FirmwareInstance();
  const initial = Kernel.initialModel(fw, { arch: 'logreg', inputs, outputs: 10, seed });
  const header = decodeModel(initial).header;
  // Committee: 40 % of the nodes (002 §V) capped at 64 members; threshold low so random updates pass.
  const size = Math.min(64, Math.max(1, Math.round(devices * 0.4)));
  const eng = makeEngine(engine, devices, { committeeSize: size, threshold: 1, k: devices, difficulty: 8 });
  const committee = engine === 'committee' ? ids.slice(0, size) : engine === 'poq' ? [...ids] : [];
  const idx = new Map(ids.map((id, i) => [id, i]));
  const gateways = new Map(gws.map((s) => [s.id, s.publicKey]));
  const nodes = [];
  for (let g = 0; g < G; g++) {
    const sg = gws[g];
    nodes.push(await gatewayNode({
      id: sg.id, task: TASK, ledger: ledgers[g], signer: sg, signingKey: gwKeys[g].privateKey, gateways, engine: eng, rule: aggregator('fedavg'),
      initialModel: initial, committee, rounds, devices: ids, roundTimeoutMs: 60_000, viewTimeoutMs: 30_000, pow: { difficulty: 8 }, poq: { tolerance: 1_000_000 },
      transport: await MqttTransport.connect(broker.url, sg.id),
    }));
  }
  // The emulated fleet: on each announcement from gateway 0, every device publishes a signed update.
  const pub = await MqttTransport.connect(broker.url, 'bench-fleet');
  const trust = { chain: ledgers[0].genesisHash(), gateways: new Map(gws.map((s, g) => [s.id, gwKeys[g].publicKey])) };
  const rng = new Rng(seed);
  let lastRound = 0;
  const device = { msgs: 0, bytes: 0 };
  const onGlobal = (payload: Uint8Array) => {
    let gm; try { gm = decodeAnnouncement(payload, trust, MAX_ANNOUNCEMENT_BYTES); } catch { return; }
    if (gm.done || gm.round <= lastRound) return;
    lastRound = gm.round;
    const p = decodeModel(gm.model).params;
    const members = gm.committee ?? (engine === 'poq' ? ids : []);
    ids.forEach((id, i) => {
      if (gm.committee?.includes(id)) return;   // BFLC members score, they do not train
      const q = p.slice();
      for (let j = 0; j < q.length; j += 97) q[j] += rng.int(64) - 32;
      const model = encodeModel(header, q);
      const fields = { task: TASK, round: gm.round, base: gm.hash, n: 50 + (i % 50), model, ctr: gm.round, metrics: {} };
      const env = signSign1(new TextEncoder().encode(id), encodeUpdate(fields), devKeys[i].privateKey);
      void pub.publish(updateTopic(TASK, id), env, { qos: 1 });
      // the broker relays every candidate to every member that judges it (BFLC members, PoQ parties)
      if (engine === 'committee' || engine === 'poq') { device.msgs += members.length; device.bytes += env.length * members.length; }
      if (engine === 'poq') send(reportTopic(TASK, id), encodeReport(signReport(devSigners[i], { round: gm.round, updateHash: sha256(model), mae: 300_000 + (i % 7) * 1000, n: fields.n }, gm.block)));
    });
  };
  // The emulated devices' side of the evidence protocols, over the broker (protocol/validate.ts, protocol/poq.ts).
  const send = (topic: string, b: Uint8Array) => { device.msgs++; device.bytes += b.length; void pub.publish(topic, b, { qos: 1 }); };
  pub.onMessage((topic, payload) => {
    const kind = parseTopic(topic)?.kind;
    if (kind === 'global') onGlobal(payload);
    else if (kind === 'validate') {
      const v = decodeValidate(payload);
      device.msgs += v.committee.length; device.bytes += payload.length * v.committee.length;   // delivered to each member
      for (const m of v.committee) send(scoreTopic(TASK, m), encodeCanonical(encodeSheets([signScoreSheet(devSigners[idx.get(m)!], v.round, v.prev, v.candidates.map((c) => ({ updateHash: c.updateHash, score: 500_000 })))])));
    } else if (kind === 'audit') {
      const q = decodeAudit(payload);
      device.msgs += q.committee.length; device.bytes += payload.length * q.committee.length;
      const digest = blockDigest(q.round, q.prev, q.leader, q.reports, decodeModel(q.global).params);
      for (const m of q.committee) send(approveTopic(TASK, m), encodeApproval(q.round, { member: m, sig: devSigners[idx.get(m)!].sign(digest) }));
    }
  });
  await pub.subscribe([globalTopic(TASK), validateTopic(TASK), auditTopic(TASK)]);
  // every gateway subscribes before any opens round 1, or a fast fleet's updates reach only some
  // CPU time of this process from the first gateway's round close to the last gateway's
  // finality: the consensus work itself, independent of how busy the shared machine is.
  countVerifications();
  const cpu = new Map<number, { start: number; done: number; ms: number; v0: number; v: number }>();
  const cpuNow = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
  for (const n of nodes) {
    const f = n.finality, d = n.driver;
    const closed = f.onClosed.bind(f), final = d.final.bind(d);
    f.onClosed = (input) => { if (!cpu.has(input.round)) cpu.set(input.round, { start: cpuNow(), done: 0, ms: 0, v0: verifications, v: 0 }); closed(input); };
    d.final = (x) => { const round = d.state().round; final(x); const c = cpu.get(round); if (c && ++c.done === G) { c.ms = cpuNow() - c.start; c.v = verifications - c.v0; } };
  }
  for (const n of nodes) await n.driver.listen();
  for (const n of nodes) n.driver.begin();
  const results = await Promise.all(nodes.map((n) => n.driver.run()));
  // Each round's time is the proposer's own: from its round close to finality on the proposer.
  const s = results[0].map((r) => results[gws.findIndex((x) => x.id === r.proposer)]?.find((x) => x.round === r.round) ?? r);
  const fin = nodes.map((n) => n.finality as BftFinality);
  const msgs = fin.reduce((a, n) => a + n.sent.messages, 0), bytes = fin.reduce((a, n) => a + n.sent.bytes, 0);
  for (const n of nodes) { await n.driver.close(); await n.driver.transport.close(); }
  await pub.close();
  for (const l of ledgers) await l.close();
  await broker.close();
  rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
  // Mean over the measured rounds (the first warms caches and JIT when there are several).
  const measured = s.length > 1 ? s.slice(1) : s;
  const windows = [...cpu.entries()].filter(([r]) => measured.some((x) => x.round === r)).map(([, c]) => c);
  const mean = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / Math.max(1, xs.length);
  return { ms: measured.reduce((a, x) => a + x.consensusMs, 0) / measured.length, cpuMs: mean(windows.map((c) => c.ms)), verifies: mean(windows.map((c) => c.v)), msgs: msgs / s.length, bytes: bytes / s.length, deviceMsgs: device.msgs / s.length, deviceBytes: device.bytes / s.length };
}

export { one };

/** One core's Ed25519 verifications per second (node:crypto): the anchor of this run. A round's
 *  work is mostly signature checks (admission, votes, import), all on this one event loop. */
function verifyRate(): number {
  const s = nodeSigner('anchor', new Uint8Array(32).fill(5));
  const m = new TextEncoder().encode('anchor'), sig = s.sign(m);
  const t = performance.now();
  for (let i = 0; i < 2000; i++) verifySig(s.publicKey, m, sig);
  return Math.round(2000 / ((performance.now() - t) / 1000));
}

const suite: BenchSuite = {
  name: 'consensus',
  async run(log) {
    const rows: [string, string, string][] = [];
    const json: Record<string, number | string> = {};
    const anchorBefore = verifyRate();
    for (const engine of ['fedavg', 'committee', 'poq', 'pow'] as EngineName[]) {
      for (const devices of [10, 100, 1000]) {
        for (const G of [4, 7]) {
          const f = await one(engine, devices, G, devices >= 100 ? 1 : 4);
          const key = `${engine}_${devices}d_${G}g`;
          json[`consensus_ms_per_round_${key}`] = Math.round(f.ms * 10) / 10;
          json[`consensus_msgs_per_round_${key}`] = Math.round(f.msgs);
          json[`consensus_bytes_per_round_${key}`] = Math.round(f.bytes);
          json[`consensus_cpu_ms_per_round_${key}`] = Math.round(f.cpuMs * 10) / 10;
          json[`consensus_loop_verifies_per_round_${key}`] = Math.round(f.verifies);
          if (engine === 'committee' || engine === 'poq') {
            json[`consensus_device_msgs_per_round_${key}`] = Math.round(f.deviceMsgs);
            json[`consensus_device_bytes_per_round_${key}`] = Math.round(f.deviceBytes);
          }
          const dev = engine === 'committee' || engine === 'poq' ? `; devices' evidence ${Math.round(f.deviceMsgs)} msgs, ${(f.deviceBytes / 1024).toFixed(1)} KiB` : '';
          rows.push([key, `${f.ms.toFixed(1)} ms`, `cpu ${f.cpuMs.toFixed(0)} ms, ${Math.round(f.verifies)} Ed25519 verifications on the event loop; ${Math.round(f.msgs)} msgs, ${(f.bytes / 1024).toFixed(1)} KiB between gateways per round${dev}`]);
          log(`${key}: ${f.ms.toFixed(1)} ms, ${Math.round(f.msgs)} msgs, ${Math.round(f.bytes)} B`);
        }
      }
    }
    // Growth (log-log least-squares slope): per engine, how messages, bytes and time grow with
    // devices (10 → 1,000 at 4 gateways), and the exponent from 4 to 7 gateways at 100 devices.
    const slope = (xs: number[], ys: number[]) => {
      const lx = xs.map(Math.log), ly = ys.map((y) => Math.log(Math.max(y, 1e-9)));
      const mx = lx.reduce((a, b) => a + b, 0) / lx.length, my = ly.reduce((a, b) => a + b, 0) / ly.length;
      return lx.reduce((a, x, i) => a + (x - mx) * (ly[i] - my), 0) / lx.reduce((a, x) => a + (x - mx) ** 2, 0);
    };
    for (const engine of ['fedavg', 'committee', 'poq', 'pow']) {
      const parts: string[] = [];
      for (const m of ['msgs', 'bytes', 'ms']) {
        const v = (d: number, g: number) => json[`consensus_${m}_per_round_${engine}_${d}d_${g}g`] as number;
        const byD = Math.round(slope([10, 100, 1000], [10, 100, 1000].map((d) => v(d, 4))) * 100) / 100;
        const byG = Math.round((Math.log(v(100, 7) / v(100, 4)) / Math.log(7 / 4)) * 100) / 100;
        json[`consensus_${m}_loglog_slope_devices_${engine}`] = byD;
        json[`consensus_${m}_loglog_slope_gateways_${engine}`] = byG;
        parts.push(`${m} ∝ d^${byD} · g^${byG}`);
      }
      rows.push([`growth_${engine}`, '', parts.join(', ')]);
    }
    json.anchor_ed25519_verify_per_s_consensus_run = Math.round((anchorBefore + verifyRate()) / 2);
    rows.push(['anchor', String(json.anchor_ed25519_verify_per_s_consensus_run), 'Ed25519 verifications/s on one core, mean of before and after the rounds above']);
    // The target configuration again with the full MNIST model (784 inputs, 7,850 params).
    for (const engine of ['committee'] as EngineName[]) {
      const f = await one(engine, 100, 4, 1, 784);
      json[`consensus_ms_per_round_${engine}_100d_4g_mnist784`] = Math.round(f.ms * 10) / 10;
      json[`consensus_bytes_per_round_${engine}_100d_4g_mnist784`] = Math.round(f.bytes);
      rows.push([`${engine}_100d_4g_mnist784`, `${f.ms.toFixed(1)} ms`, `${(f.bytes / 1024).toFixed(1)} KiB between gateways per round`]);
      log(`${engine}_100d_4g_mnist784: ${f.ms.toFixed(1)} ms`);
    }
    return { rows, json };
  },
};
export default suite;

// The sensor task end to end (`npm start -- --task sensors`): one emulated board per mote of
// the real single-hop sensor-network dataset. Each board's readings are replayed into its own
// ReadingStore (boards/store), turned into forecast windows on the board, and trained on in
// the firmware's linear-regression head; G gateways decide every round with the task's engine
// (PoQ by default: each party reports the MAE of its model on its own data, seed 001 Eq. 6–7)
// and finalise it by BFT. The run reports the global model's MAE on every board's held-out
// last 20 % against the float reference and the "last value" forecast, and how well its
// residuals flag the dataset's labelled events.
import { mkdirSync } from 'node:fs';
import { resolve, join } from 'node:path';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../gateway/broker.js';
import { Ledger, nodeSigner, type Signer } from '../../gateway/ledger/index.js';
import { ed25519FromSeed } from '../../gateway/keys.js';
import { DeviceAgent } from '../../boards/agent.js';
import { boardProfile } from '../../boards/profiles.js';
import { FirmwareInstance } from '../../boards/firmware/instance.js';
import { Kernel } from '../../boards/firmware/kernel.js';
import { DeviceSigner } from '../../boards/firmware/signer.js';
import { encodeModel, decodeModel } from '../../boards/firmware/model-blob.js';
import { ReadingStore } from '../../boards/store/readings.js';
import { SENSOR_WINDOW, timeSplit, windows, type WindowSet } from '../../boards/store/windows.js';
import { SENSOR_TASK, SENSOR_TRAIN, sensorModel, predictions, residualsC, meanAbs, lastValueMaeC, detection } from '../../boards/tasks/sensor-forecast.js';
import { aggregator } from '../../gateway/aggregate/index.js';
import { ClusterNode, type ClusterRoundSummary, type EvidenceSource } from '../../gateway/cluster/node.js';
import { poqEngine, signReport, blockDigest, auditWithin, type QualityReport } from '../../gateway/consensus/poq.js';
import type { EngineName, RoundInput } from '../../gateway/consensus/engine.js';
import { clusterGenesis, gatewayId, gatewaySeed, deviceId, deviceSeed, registrationBlock, clusterNodeOptions } from '../../gateway/cluster/setup.js';
import { loadSuthaharan, replay } from '../datasets/suthaharan.js';
import { floatFromBlob, floatPredict, floatRound, type FloatLinear } from './float-ref.js';

export interface SensorRunOptions {
  rounds: number;
  seed: number;
  epochs: number;
  gateways: number;
  consensus: EngineName;
  roundTimeoutMs: number;
  broker?: string;
  dataDir?: string;
  /** Store capacity per board (records); the replay keeps the newest this many. */
  capacity?: number;
  /** Residual threshold (°C) above which a forecast flags an event (default 1 °C). */
  thresholdC?: number;
  /** PoQ tolerance, ppm of MAE in target units (default 50000 = 0.8 °C). */
  poqTolerance?: number;
}

export const SENSOR_DEFAULTS = { rounds: 20, seed: 1, epochs: 1, gateways: 4, consensus: 'poq' as EngineName, roundTimeoutMs: 15_000, capacity: 8192, thresholdC: 1 };

export interface SensorRoundLine { round: number; height: number; accepted: number; maeC: number; floatMaeC: number; ms: number }

export interface SensorRunResult {
  rounds: number; boards: number; gateways: number; consensus: EngineName;
  train: number; test: number;
  final_mae_c: number; float_mae_c: number; last_value_mae_c: number;
  /** final_mae / float_mae − 1 and final_mae / last_value − 1. */
  vs_float: number; vs_last_value: number;
  anomaly: { threshold_c: number; events: number; windows: number; tp: number; fp: number; fn: number; precision: number; recall: number };
  ledger_height: number; ledger_verified: boolean; data_dir: string; seconds: number;
  per_round: SensorRoundLine[];
}

export interface SensorRunHooks {
  signal?: AbortSignal;
  onStart?(info: { broker: string; dataDir: string; boards: { id: string; mote: number; indoor: boolean; train: number; test: number }[] }): void;
  onRound?(line: SensorRoundLine, total: number): void;
}

/** PoQ evidence produced by the boards themselves: each party's MAE on its own training
 *  windows (Eq. 6, ppm of the target unit), signed with its key; every party audits. */
function poqEvidence(agents: DeviceAgent[], data: WindowSet[], signers: Signer[], header: ReturnType<typeof decodeModel>['header'], tolerance: number): EvidenceSource {
  const idx = new Map(agents.map((a, i) => [a.id, i]));
  const maeOn = (i: number, params: Int32Array) => { agents[i].kernel.load(encodeModel(header, params)); return Math.round(agents[i].kernel.evaluate(data[i]).mae * 1e6); };
  return { async collect(input: RoundInput) {
    const reports: QualityReport[] = input.candidates.map((c) => {
      const i = idx.get(c.id)!;
      return signReport(signers[i], { round: input.round, updateHash: c.updateHash, mae: maeOn(i, c.params), n: c.n }, input.prev);
    }).sort((a, b) => (a.party < b.party ? -1 : 1));
    const ctx = { keyOf: (id: string) => signers[idx.get(id) ?? -1]?.publicKey, rule: aggregator('fedavg') };
    const draft = poqEngine().decide(input, { reports, approvals: [] }, ctx);
    const global = aggregator('fedavg')(input.candidates.map((c) => ({ params: c.params, n: c.n })));
    const digest = blockDigest(input.round, input.prev, draft.leader ?? '', reports, global);
    const approvals = input.committee.filter((m) => idx.has(m)).flatMap((m) => {
      const i = idx.get(m)!;
      const recomputed = new Map(input.candidates.map((c) => [c.id, maeOn(i, c.params)]));
      return auditWithin(reports, recomputed, maeOn(i, global), tolerance) ? [{ member: m, sig: signers[i].sign(digest) }] : [];
    });
    return { reports, approvals };
  } };
}

const concat = (sets: WindowSet[]): WindowSet => {
  const n = sets.reduce((s, d) => s + d.n, 0), dim = sets[0].dim;
  const out: WindowSet = { n, dim, classes: 1, x: new Uint8Array(n * dim), y: new Uint8Array(n), t: new Int32Array(n), now: new Int32Array(n), tNow: new Float64Array(n), tAhead: new Float64Array(n) };
  let o = 0;
  for (const d of sets) { out.x.set(d.x, o * dim); out.t.set(d.t, o); out.now.set(d.now, o); out.tNow.set(d.tNow, o); out.tAhead.set(d.tAhead, o); o += d.n; }
  return out;
};

/** Runs the federated sensor task and returns its figures. Throws RangeError on bad options. */
export async function runSensors(o: SensorRunOptions, hooks: SensorRunHooks = {}): Promise<SensorRunResult> {
  const t0 = Date.now();
  if (o.consensus === 'committee') throw new RangeError('the sensor task runs with --consensus poq, fedavg or pow (BFLC committee scores are accuracies)');
  const G = o.gateways, w = SENSOR_WINDOW;
  const dataDir = resolve(o.dataDir ?? join('data', `sensors-${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}`));
  mkdirSync(dataDir, { recursive: true });

  // Each board = one mote: its readings enter its store as a sensor would deliver them.
  const motes = loadSuthaharan();
  const stores = motes.map((m) => { const s = new ReadingStore(o.capacity ?? SENSOR_DEFAULTS.capacity); replay(m, s); return s; });
  const splits = stores.map((s) => timeSplit(s, 0.8, w));
  const ids = motes.map((_, i) => deviceId(i));
  const profile = boardProfile('emulated');
  let broker: EmbeddedBroker | undefined;
  const brokerUrl = o.broker ?? (broker = await startEmbeddedBroker()).url;
  hooks.onStart?.({ broker: brokerUrl, dataDir, boards: motes.map((m, i) => ({ id: ids[i], mote: m.mote, indoor: m.indoor, train: splits[i].train.n, test: splits[i].test.n })) });

  const gwSeeds = Array.from({ length: G }, (_, g) => gatewaySeed(g, o.seed));
  const gwSigners = gwSeeds.map((seed, g) => nodeSigner(gatewayId(g), seed));
  const gwKeys = gwSeeds.map((seed) => ed25519FromSeed(seed));
  const trainSeed = (i: number) => o.seed * 1000 + i;
  const train = { ...SENSOR_TRAIN, epochs: o.epochs };
  const agents = ids.map((id, i) => new DeviceAgent({
    id, task: SENSOR_TASK, profile, data: splits[i].train,
    train: { ...train, seed: trainSeed(i) },
    gatewayKey: gwKeys[i % G].publicKey,
    signer: (fw) => { const s = new DeviceSigner(fw); s.provision(deviceSeed(id, o.seed)); return s; },
  }));
  const devSigners = ids.map((id) => nodeSigner(id, deviceSeed(id, o.seed)));

  const genesis = clusterGenesis(o.seed, G, o.consensus, SENSOR_TASK);
  const ledgers: Ledger[] = [];
  for (let g = 0; g < G; g++) ledgers.push(await Ledger.open(join(dataDir, gatewayId(g)), { genesis }));
  if (ledgers[0].height < 1) {
    const b = await registrationBlock(ledgers[0], gwSigners, agents.map((a) => ({ id: a.id, publicKey: a.publicKey(), samples: a.samples })), o.consensus);
    for (let g = 1; g < G; g++) await ledgers[g].importBlock(b);
  }

  const initialModel = Kernel.initialModel(new FirmwareInstance(), sensorModel(o.seed));
  const header = decodeModel(initialModel).header;
  const test = concat(splits.map((s) => s.test));
  const maeOf = (blob: Uint8Array) => meanAbs(residualsC(test, predictions(blob, test), w));
  // the float reference follows the same rounds from the same initial weights
  let ref: FloatLinear = floatFromBlob(initialModel);
  const refMae = () => meanAbs(residualsC(test, floatPredict(ref, test), w));
  let global = initialModel;
  const evidence = o.consensus === 'poq' ? poqEvidence(agents, splits.map((s) => s.train), devSigners, header, o.poqTolerance ?? 50_000) : undefined;
  const evalKernel = new Kernel(new FirmwareInstance());
  const nodes: ClusterNode[] = [];
  for (let g = 0; g < G; g++) {
    nodes.push(new ClusterNode(clusterNodeOptions({
      id: gatewayId(g), seed: gwSeeds[g], genesis, ledger: ledgers[g], engine: o.consensus, devices: ids,
      settings: { poqTolerance: o.poqTolerance }, initialModel, rounds: o.rounds, roundTimeoutMs: o.roundTimeoutMs,
      rule: aggregator('fedavg'), evidence,
      // gateway 0 keeps the finalised model; the kernel's own metrics on the held-out windows
      evaluate: g === 0 ? (m: Uint8Array) => { global = m; evalKernel.load(m); const r = evalKernel.evaluate(test); return { accuracy: r.accuracy, loss: r.loss }; } : undefined,
    })));
  }
  const onAbort = () => nodes.forEach((n) => n.stop());
  hooks.signal?.addEventListener('abort', onAbort);
  const lines: SensorRoundLine[] = [];
  let verified = false, height = 0;
  try {
    for (const n of nodes) await n.connect(brokerUrl);
    for (const a of agents) await a.connect(brokerUrl);
    await Promise.all(nodes.map((n, g) => n.run(g === 0 ? (s: ClusterRoundSummary) => {
      ref = floatRound(ref, splits.map((x) => x.train), train, (i) => trainSeed(i) + s.round);
      const line = { round: s.round, height: s.height, accepted: s.accepted, maeC: maeOf(global), floatMaeC: refMae(), ms: s.ms };
      lines.push(line);
      hooks.onRound?.(line, o.rounds);
    } : undefined)));
  } finally {
    hooks.signal?.removeEventListener('abort', onAbort);
    for (const n of nodes) await n.close();
    for (const a of agents) await a.close();
    const checks = [];
    for (const l of ledgers) { checks.push((await l.verify()).ok); await l.close(); }
    verified = checks.every(Boolean);
    height = ledgers[0].height;
    await broker?.close();
  }

  // Anomaly events: residuals of the final global model on every window of every board.
  const all = stores.map((s) => windows(s, w));
  const resid: number[] = [], labels: number[] = [];
  all.forEach((d, i) => {
    const r = residualsC(d, predictions(global, d), w);
    const lab = motes[i].label, off = motes[i].temperature.length - stores[i].length;   // store index → reading index
    for (let s = 0; s < d.n; s++) { resid.push(r[s]); labels.push(lab[off + d.now[s] + w.horizon]); }
  });
  const thr = o.thresholdC ?? SENSOR_DEFAULTS.thresholdC;
  const det = detection(resid, labels, thr);
  const final = maeOf(global), fl = refMae(), last = lastValueMaeC(test);
  return {
    rounds: lines.length, boards: agents.length, gateways: G, consensus: o.consensus,
    train: splits.reduce((s, x) => s + x.train.n, 0), test: test.n,
    final_mae_c: final, float_mae_c: fl, last_value_mae_c: last, vs_float: final / fl - 1, vs_last_value: final / last - 1,
    anomaly: { threshold_c: thr, events: labels.filter(Boolean).length, windows: labels.length, ...det },
    ledger_height: height, ledger_verified: verified, data_dir: dataDir, seconds: (Date.now() - t0) / 1000, per_round: lines,
  };
}

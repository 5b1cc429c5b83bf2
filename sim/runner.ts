// Runs one concrete scenario (a RunSpec): data and shards, the broker (embedded unless given),
// the ledger (on disk, or in memory), the simulated gateway (sim/gateway.ts) and the worker-thread fleet.
// All randomness derives from the scenario seed, so two runs give the same metrics.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadMnist } from '../boards/data/mnist.js';
import { trainTestSplit, balancedSample } from '../boards/data/split.js';
import { rootUpdater } from '../gateway/round/root-update.js';
import { startEmbeddedBroker, type EmbeddedBroker } from '../gateway/broker.js';
import { ed25519FromSeed, demoSeed } from '../protocol/keys.js';
import { Ledger, registrationTx, nodeSigner } from '../gateway/ledger/index.js';
import { FirmwareInstance } from '../boards/firmware/instance.js';
import { Kernel } from '../boards/firmware/kernel.js';
import { decodeModel } from '../protocol/model-blob.js';
import type { Scenario } from './scenario/schema.js';
import type { RunSpec } from './scenario/expand.js';
import { buildShards } from './fleet/shards.js';
import { assignRoles } from './fleet/roles.js';
import { Fleet, type FleetStats } from './fleet/fleet.js';
import { simGateway, type RoundResult } from './gateway.js';
import { scenarioEngine } from './task.js';
import { engineParams } from '../gateway/consensus/registry.js';
import { deviceId, deviceIndex } from '../protocol/ids.js';
import { MqttTransport } from '../boards/transport/mqtt.js';
import type { RoundDriver } from '../gateway/round/driver.js';
import { COLLECTIVE_TYPES } from './attacks/index.js';
import { readyFilter } from '../protocol/topics.js';
import { decodeReady } from './control.js';
import { fullGc } from './fleet/heap.js';

export interface RunHooks {
  onRound?(r: RoundResult): void;
  signal?: AbortSignal;
}

/** Memory of the fleet after its first round. `bytesPerBoard` is what the workers hold per
 *  board: each board's firmware linear memory, the workers' JS heaps (boards, MQTT client,
 *  round caches) and the shared shard buffer, divided by the number of boards. The gateway,
 *  broker and ledger in the main thread are not board memory and are left out; the process
 *  RSS growth (everything) is reported beside it. */
export interface MemoryReport {
  boards: number; workers: number; bytesPerBoard: number; wasmBytesPerBoard: number; heapBytesPerBoard: number;
  sharedBytesPerBoard: number; rssDeltaBytes: number; rssBytesPerBoard: number;
}

export interface RunOutput {
  spec: RunSpec; rounds: RoundResult[]; epochs: number[];
  memory?: MemoryReport; setupMs: number; seconds: number; attackers: number[];
  /** CPU time of this whole process (gateway, broker, fleet workers) per round, ms: from the
   *  rounds' start (round 1) or the previous round's summary to this round's. A busy host
   *  stretches wall time, not this. */
  cpuMs?: number[];
}

/** Local epochs of round `round` (004's budget split, or the fixed setting). */
export function epochsFor(s: Scenario): number {
  const b = s.train.budget;
  if (!b) return s.train.epochs;
  return Math.max(1, Math.floor((b.T / s.rounds - b.tB) / (b.tau * b.tB)));
}

function modelSpec(s: Scenario, dim: number, classes: number) {
  return { arch: s.model.arch, inputs: dim, hidden: s.model.hidden || undefined, outputs: classes, seed: s.seed, rounding: s.model.rounding };
}

/** Stand-alone / centralized training (002 Table 1, 003 Fig. 2): one firmware instance
 *  trains on all training digits, one epoch per round. */
async function runCentralized(spec: RunSpec, hooks: RunHooks): Promise<RunOutput> {
  const t0 = Date.now(), s = spec.scenario;
  const { train, test } = trainTestSplit(loadMnist(), s.dataset.testFraction, s.seed);
  const fw = new FirmwareInstance();
  const k = new Kernel(fw);
  k.load(Kernel.initialModel(fw, modelSpec(s, train.dim, train.classes)));
  const ev = new Kernel(new FirmwareInstance());
  const rounds: RoundResult[] = [];
  for (let t = 1; t <= s.rounds && !hooks.signal?.aborted; t++) {
    const w0 = Date.now();
    k.train(train, { epochs: epochsFor(s), batch: s.train.batch, lr: s.train.lr, seed: s.seed * 1000 + t });
    ev.load(k.export());
    const e = ev.evaluate(test);
    const r: RoundResult = {
      round: t, accuracy: e.accuracy, loss: e.loss, trainers: 1, committee: 0, received: 0, accepted: 0, rejected: 0, reasons: {},
      unavailable: 0, lost: 0, bytesUp: 0, bytesDown: 0, units: 0, consensusMs: 0, wallMs: Date.now() - w0, simulatedMs: 0, acceptedIds: [], rejectedList: [],
    };
    rounds.push(r);
    hooks.onRound?.(r);
  }
  return { spec, rounds, epochs: rounds.map(() => epochsFor(s)), setupMs: 0, seconds: (Date.now() - t0) / 1000, attackers: [] };
}

/** Waits until `of` board processes have announced their slices (ready markers, repeated by
 *  each until its first round), holding `devices` boards between them. Returns the wait in ms. */
async function waitForSlices(broker: string, task: string, of: number, devices: number, signal?: AbortSignal): Promise<number> {
  const t0 = Date.now();
  const t = await MqttTransport.connect(broker, `gw-0-${task}-wait`);
  try {
    const seen = new Map<number, number>();
    await new Promise<void>((res, rej) => {
      const stop = () => rej(new Error('interrupted while waiting for the board processes'));
      signal?.addEventListener('abort', stop, { once: true });
      t.onMessage((_topic, payload) => {
        let r;
        try { r = decodeReady(payload); } catch (e) { process.stderr.write(`ignored ready marker: ${(e as Error).message}\n`); return; }
        if (r.of !== of) { process.stderr.write(`ignored ready marker of slice ${r.slice}/${r.of}: this gateway waits for ${of} board processes\n`); return; }
        if (!seen.has(r.slice)) process.stderr.write(`board process ${r.slice + 1}/${of} ready: ${r.boards} boards\n`);
        seen.set(r.slice, r.boards);
        const boards = [...seen.values()].reduce((a, b) => a + b, 0);
        if (seen.size === of && boards === devices) { signal?.removeEventListener('abort', stop); res(); }
      });
      void t.subscribe([readyFilter(task)]).then(() => process.stderr.write(`waiting for ${of} board processes on ${broker} (npm run sim -- <scenario> --broker ${broker} --slice K/${of})\n`), rej);
    });
  } finally { await t.close().catch(() => {}); }
  return Date.now() - t0;
}

/** Memory of the fleet after its first round (see MemoryReport). */
export async function measureMemory(fleet: Fleet, shards: ReturnType<typeof buildShards>, rss0: number): Promise<MemoryReport> {
  fullGc();
  const st: FleetStats = await fleet.memory();
  const delta = process.memoryUsage().rss - rss0;
  const shared = shards.x.byteLength + shards.y.byteLength;
  return {
    boards: st.boards, workers: st.workers,
    bytesPerBoard: Math.round((st.wasmBytes + st.workerHeapBytes + shared) / st.boards),
    wasmBytesPerBoard: Math.round(st.wasmBytes / st.boards), heapBytesPerBoard: Math.round(st.workerHeapBytes / st.boards),
    sharedBytesPerBoard: Math.round(shared / st.boards), rssDeltaBytes: delta, rssBytesPerBoard: Math.round(delta / st.boards),
  };
}

/** What the gateway and every board process derive alike from a scenario (all from its seed):
 *  the data split and shards, attacker roles, the gateway's key and the chain's genesis. */
export function runInputs(s: Scenario) {
  const { train, test } = trainTestSplit(loadMnist(), s.dataset.testFraction, s.seed);
  const shards = buildShards(train, s.devices.count, s.dataset.partition, s.seed);
  const roles = assignRoles(s.devices.count, s.attackers, s.seed);
  const gwSeed = demoSeed('gateway', s.seed);
  const gw = ed25519FromSeed(gwSeed);
  const signer = nodeSigner('gw-0', gwSeed);
  const engine = scenarioEngine(s);
  const genesis = { chainId: `edgechain-fl/sim/${s.name}`, managers: [{ id: signer.id, publicKey: signer.publicKey }], params: { task: s.name, engine: engine.name, ...engineParams(engine, s.aggregation.rule) }, timestamp: 0 };
  return { train, test, shards, roles, gw, signer, engine, genesis };
}

/** Runs one scenario variant and returns its per-round results. With `remoteFleet: P` the fleet
 *  is not started here: the gateway waits on `broker` until P board processes
 *  (sim/fleet/slice.ts) say they are ready, then runs the rounds with them.
 *  @example const out = await runScenario(expandScenario(s)[0], { broker: undefined }); */
export async function runScenario(spec: RunSpec, o: { broker?: string; workers?: number; ledgerDir?: string; remoteFleet?: number } = {}, hooks: RunHooks = {}): Promise<RunOutput> {
  const s = spec.scenario;
  if (s.mode === 'centralized') return runCentralized(spec, hooks);
  if (o.remoteFleet && !o.broker) throw new RangeError('a fleet in other processes needs --broker (the broker they connect to)');
  const t0 = Date.now();
  const task = s.name;
  const { train, test, shards, roles, gw, signer, engine, genesis } = runInputs(s);
  let memoryOut: MemoryReport | undefined;
  const devKeys = Array.from({ length: s.devices.count }, (_, i) => ed25519FromSeed(demoSeed(deviceId(i), s.seed)));
  // Keys the consensus engines check evidence against: the boards' and the gateway's (the PoW miner).
  const keyOf = (id: string) => (id === signer.id ? signer.publicKey : devKeys[deviceIndex(id)]?.publicRaw);

  const evalFw = new FirmwareInstance();
  const evaluator = new Kernel(evalFw);
  const initialModel = Kernel.initialModel(evalFw, modelSpec(s, train.dim, train.classes));

  let broker: EmbeddedBroker | undefined;
  const brokerUrl = o.broker ?? (broker = await startEmbeddedBroker()).url;
  // The chain: on disk when the scenario keeps a ledger, in memory otherwise (same rules).
  const ledgerDir = s.ledger ? (o.ledgerDir ?? mkdtempSync(join(tmpdir(), `sim-${task}-`))) : undefined;
  const errors: string[] = [];
  let driver: RoundDriver | undefined;
  const ledger = ledgerDir ? await Ledger.open(ledgerDir, { genesis }) : await Ledger.openMemory({ genesis });
  const fleet = new Fleet({
    scenario: s, roles, shards, brokerUrl, task, gatewayPublicRaw: gw.publicRaw, chain: ledger.genesisHash(), workers: o.workers,
    roundModel: () => decodeModel(driver!.state().model),
    roundCounts: () => {
      const t = driver!.state().trainers.map(deviceIndex);
      return { trainers: t.length, colluders: t.filter((i) => roles[i] >= 0 && COLLECTIVE_TYPES.has(s.attackers[roles[i]].type)).length };
    },
    onError: (m) => { errors.push(m); process.stderr.write(`fleet: ${m}\n`); driver?.stop(true); },
  });
  let started = false;
  const rounds: RoundResult[] = [];
  let memory: Promise<MemoryReport> | undefined;
  let setupMs = 0;
  let transport: MqttTransport | undefined;
  const cpuMs: number[] = [];
  let cpuMark = process.cpuUsage();
  const onAbort = () => driver?.stop();
  hooks.signal?.addEventListener('abort', onAbort);
  try {
    const regs = Array.from({ length: s.devices.count }, (_, i) => registrationTx(signer, {
      id: deviceId(i), publicKey: devKeys[i].publicRaw,
      profile: { categories: ['mnist'], types: ['image/u8'], size: shards.count[i] },
    }));
    for (let i = 0; i < regs.length; i += 10_000) await ledger.append(signer, regs.slice(i, i + 10_000), { engine: engine.name, round: 0 }, 0);
    transport = await MqttTransport.connect(brokerUrl, `gw-0-${task}`);
    fullGc();
    const rss0 = process.memoryUsage().rss;
    started = true;
    setupMs = o.remoteFleet ? await waitForSlices(brokerUrl, task, o.remoteFleet, s.devices.count, hooks.signal) : await fleet.start();
    driver = await simGateway({
      scenario: s, task, transport, gatewayId: 'gw-0', signingKey: gw.privateKey, signer, ledger, initialModel, keyOf,
      ...(s.consensus.rootData > 0 ? { reference: rootUpdater(decodeModel(initialModel).header, balancedSample(train, s.consensus.rootData, s.seed * 7919 + 1), { epochs: epochsFor(s), batch: s.train.batch, lr: s.train.lr }) } : {}),
      epochs: () => epochsFor(s), evaluate: (m) => { evaluator.load(m); const r = evaluator.evaluate(test); return { accuracy: r.accuracy, loss: r.loss }; },
      onRound: (res) => {
        const c = process.cpuUsage(cpuMark);
        cpuMark = process.cpuUsage();
        cpuMs.push(Math.round((c.user + c.system) / 1000));
        rounds.push(res);
        if (res.round === 1 && !o.remoteFleet) memory = measureMemory(fleet, shards, rss0);
        hooks.onRound?.(res);
      },
    });
    if (!hooks.signal?.aborted) {
      cpuMark = process.cpuUsage();
      await driver.start();
      await driver.run();
    }
    if (errors.length) throw new Error(`fleet error: ${errors[0]}`);
  } finally {
    hooks.signal?.removeEventListener('abort', onAbort);
    await driver?.close();
    await transport?.close().catch(() => {});
    const m = await memory?.catch(() => undefined);
    if (m) memoryOut = m;
    if (started && !o.remoteFleet) await fleet.close();
    await ledger.close();
    await broker?.close();
    if (ledgerDir && !o.ledgerDir) rmSync(ledgerDir, { recursive: true, force: true });
  }
  return {
    spec, rounds, epochs: rounds.map(() => epochsFor(s)), memory: memoryOut, setupMs, seconds: (Date.now() - t0) / 1000, cpuMs,
    attackers: roles.reduce<number[]>((a, r, i) => (r >= 0 ? (a.push(i), a) : a), []),
  };
}

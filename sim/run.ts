// One federated training run: broker + G gateways + N emulated boards, over real MQTT. Used by
// `npm start` (sim/demo.ts) and the end-to-end tests; all I/O choices come in through
// RunOptions. One gateway appends its own blocks; several reach BFT finality. Every gateway
// is a configuration of the one round driver (gateway/node.ts).
import { mkdirSync } from 'node:fs';
import { resolve, join } from 'node:path';
import { loadMnist, subset } from '../boards/data/mnist.js';
import { trainTestSplit } from '../boards/data/split.js';
import { partition } from '../boards/data/partition.js';
import { startEmbeddedBroker, type EmbeddedBroker } from '../gateway/broker.js';
import { Ledger, nodeSigner, registrationTx, genesisBlock, type GenesisConfig } from '../gateway/ledger/index.js';
import { ed25519FromSeed } from '../protocol/keys.js';
import { DeviceAgent } from '../boards/agent.js';
import { boardProfile } from '../boards/profiles.js';
import { FirmwareInstance } from '../boards/firmware/instance.js';
import { Kernel, type Dataset } from '../boards/firmware/kernel.js';
import { DeviceSigner } from '../boards/firmware/signer.js';
import { MqttTransport } from '../boards/transport/mqtt.js';
import type { Arch, Rounding } from '../protocol/model-blob.js';
import { DEFAULT_TASK, TRAIN, type EngineName } from '../protocol/task.js';
import { aggregator } from '../gateway/aggregate/index.js';
import { gatewayNode } from '../gateway/node.js';
import type { RoundDriver } from '../gateway/round/driver.js';
import type { RoundSummary, Rejection } from '../gateway/round/summary.js';
import type { Finality } from '../gateway/round/ports.js';
import { BftFinality, type QuorumStatus } from '../gateway/finality/bft.js';
import { engineParams } from '../gateway/consensus/registry.js';
import { replayDecisions } from '../gateway/audit/replay.js';
import { rootUpdater, mnistRootData, ROOT_TRAINING } from '../gateway/round/root-update.js';
import { decodeModel } from '../protocol/model-blob.js';
import { clusterGenesis, makeEngine, taskRule, clusterNodeOptions, gatewayId, gatewaySeed, deviceId, deviceSeed, registrationBlock, type EngineSettings, type GatewayParams } from '../gateway/cluster/setup.js';
import { presenceWill } from '../protocol/presence.js';
import { subset as subsetRows } from '../boards/data/mnist.js';
import { Rng } from '../boards/data/rng.js';
import { kernelContribute } from '../gateway/economy/contribute.js';
import type { Settlement } from '../gateway/economy/settle.js';
import type { EconomyParams } from './economy/params.js';
import { economyBalances, openTask, closeTask } from './economy/life-cycle.js';
import { rewardRows, type RewardRow } from './economy/rewards.js';
import { mintToken } from '../protocol/broker-token.js';
import { loopbackCertificate } from '../gateway/broker/certs.js';

export { DEFAULT_TASK, TRAIN };

export interface RunOptions {
  devices: number;
  rounds: number;
  alpha: number;
  seed: number;
  epochs: number;
  roundTimeoutMs: number;
  broker?: string;
  dataDir?: string;
  board?: string;
  task?: string;
  /** Local differential privacy of every update (boards/firmware/dp.ts). */
  dp?: { epsilon: number; clipL1: number };
  /** Round consensus engine (default fedavg). */
  consensus?: EngineName;
  /** Number of gateways (super nodes); more than one reach BFT finality. */
  gateways?: number;
  /** Aggregation rule (gateway/aggregate), default fedavg (centeredClip with `defence`). */
  rule?: string;
  /** The poisoning defence (docs/robustness.md): root trust with reputation on a fedavg task. */
  defence?: boolean;
  /** The task's model: architecture (default logreg), MLP width and requantization rounding
   *  (docs/model-format.md "Rounding"), or an `initial` blob to start from (e.g. a TFLite import). */
  model?: { arch?: Arch; hidden?: number; rounding?: Rounding; initial?: Uint8Array };
  /** Local SGD learning rate and batch (default TRAIN). */
  lr?: number;
  batch?: number;
  /** Secure the embedded broker (docs/protocol.md §Broker security): every board and gateway
   *  authenticates with a token signed by its registered key, topic ACLs, per-connection packet
   *  size and publish-rate limits; `tls` also serves MQTT over TLS with a certificate made at
   *  setup. Ignored with `broker` (an external broker has its own configuration). */
  secure?: { tls?: boolean };
  /** fsync every block before it is announced (default true; false trades power-loss
   *  durability for ~1 ms a block). */
  sync?: boolean;
  /** The task's data instead of the demo's MNIST draw (then `alpha` is unused and `devices`
   *  must equal `data.shards.length`): one local dataset per board, the held-out set every
   *  gateway evaluates on, and the data profile the boards register with. */
  data?: TaskData;
  /** A task on the chain (sim/economy): published with a pool, bids with deposits, selection,
   *  per-round rewards, refunds or slashes at the end. Absent: no economy. */
  economy?: EconomyParams;
  /** Boards (by index) that misbehave: `free-rider` sends the global model back untrained,
   *  `noisy-labels` trains five times as long on random labels (a poisoner the committee should reject). */
  misbehave?: Record<number, 'free-rider' | 'noisy-labels'>;
  /** A cluster (G > 1) that finalizes nothing for this long stops and the run fails with what it
   *  waited for (default max(30 s, 5 × roundTimeoutMs)), instead of hanging (docs/consensus.md §8). */
  stallTimeoutMs?: number;
  /** The boards' ids (default device-0 … device-(N−1)); each board's key is derived from its id. */
  ids?: string[];
}

/** A task's data, drawn by the caller (e.g. sim/sensors/run.ts: one board per mote). */
export interface TaskData { shards: Dataset[]; test: Dataset; profile: { categories: string[]; types: string[] } }

export const DEFAULTS = { devices: 10, rounds: 20, alpha: 0.5, seed: 1, epochs: 1, roundTimeoutMs: 15_000 };

export interface RunHooks {
  signal?: AbortSignal;
  onStart?(info: { broker: string; dataDir: string; train: number; test: number; shards: number[] }): void;
  /** Each finished round (gateway 0) and the global model it produced. */
  onRound?(s: RoundSummary, total: number, model: Uint8Array): void;
  onReject?(e: Rejection & { round: number }): void;
  /** Runs after boards connect and before round 1 (tests inject attackers here). `ca` is the
   *  broker's certificate when it speaks TLS. */
  beforeRounds?(ctx: { brokerUrl: string; task: string; agents: DeviceAgent[]; chain: Uint8Array; ca?: string }): Promise<void> | void;
  /** The data directory holds a chain of this task already: the run resumes after its last
   *  round (`done` when that is the last round asked for: nothing is left to train). */
  onResume?(r: { round: number; height: number; done: boolean }): void;
  /** A secured embedded broker refused a connection, publish or subscription. */
  onRefused?(e: { client: string; what: 'connect' | 'publish' | 'subscribe'; reason: string; topic?: string }): void;
  /** Sees each gateway once started (tests crash, cut off or corrupt gateways here). */
  onGateways?(gws: { drivers: RoundDriver[]; finalities: Finality[]; ledgers: Ledger[] }): void;
  /** Awaited after the last round, while gateways and ledgers are still open (the dashboard
   *  keeps serving the finished run until this resolves). */
  afterRounds?(): Promise<void>;
  settings?: EngineSettings;
  viewTimeoutMs?: number;
  /** Replaces gateway g's finality (tests: a Byzantine gateway). */
  finalityFactory?: (o: ConstructorParameters<typeof BftFinality>[0], g: number) => Finality;
}

export interface GatewayReport { id: string; height: number; head: string; verified: boolean; evidence: number }

export interface RunResult {
  /** Rounds this run recorded on the chain (after any it resumed from). */
  rounds: number;
  devices: number;
  gateways: number;
  consensus: EngineName;
  final_accuracy: number;
  ledger_height: number;
  ledger_verified: boolean;
  data_dir: string;
  seconds: number;
  /** Gateway 0's round summaries (of this run; a resumed run has none for the rounds before). */
  summaries: RoundSummary[];
  /** Rounds the data directory's chain already held when the run started (0: a new chain). */
  resumed_from: number;
  per_gateway: GatewayReport[];
  /** With an economy: the winners, each winner's deposit outcome and the rewards table rows. */
  economy?: { winners: string[]; settlements: Settlement[]; rewards: RewardRow[]; supply: { ok: boolean; supply: number } };
}

/** The genesis of a one-gateway chain: the gateway is the only manager (permissioned admission). */
export function demoGenesis(o: Pick<RunOptions, 'seed' | 'task'> & { engine?: EngineName }, engineCfg: Record<string, number | string> = {}): GenesisConfig {
  const gw = nodeSigner(gatewayId(0), gatewaySeed(0, o.seed));
  const task = o.task ?? DEFAULT_TASK;
  return { chainId: `edgechain-fl/${task}`, managers: [{ id: gw.id, publicKey: gw.publicKey }], params: { task, engine: o.engine ?? 'fedavg', fl_consensus: o.engine ?? 'fedavg', ...engineCfg }, timestamp: 0 };
}

/** The demo's data: MNIST's 80 % train split in Dirichlet(α) shards, the 20 % held out. */
function demoData(o: Pick<RunOptions, 'devices' | 'alpha' | 'seed'>): TaskData {
  const { train, test } = trainTestSplit(loadMnist(), 0.2, o.seed);
  const shards = partition(train, o.devices, { kind: 'dirichlet', alpha: o.alpha }, o.seed).map((p) => subset(train, p));
  return { shards, test, profile: { categories: ['mnist'], types: ['image/u8'] } };
}

/** Runs one federated training job end to end and returns its summary. */
export async function runFederated(o: RunOptions, hooks: RunHooks = {}): Promise<RunResult> {
  const t0 = Date.now();
  const task = o.task ?? DEFAULT_TASK;
  const G = o.gateways ?? 1;
  const engineName: EngineName = o.consensus ?? 'fedavg';
  const dataDir = resolve(o.dataDir ?? join('data', `run-${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}`));
  mkdirSync(dataDir, { recursive: true });

  const { shards, test, profile: dataProfile } = o.data ?? demoData(o);
  if (shards.length !== o.devices) throw new RangeError(`${shards.length} datasets for ${o.devices} devices`);
  const profile = boardProfile(o.board ?? 'emulated');

  const gwSeeds = Array.from({ length: G }, (_, g) => gatewaySeed(g, o.seed));
  const gwSigners = gwSeeds.map((seed, g) => nodeSigner(gatewayId(g), seed));
  const gwKeys = gwSeeds.map((seed) => ed25519FromSeed(seed));
  const ids = o.ids ?? Array.from({ length: o.devices }, (_, i) => deviceId(i));
  if (ids.length !== o.devices) throw new RangeError(`${ids.length} ids for ${o.devices} devices`);
  if (o.defence && engineName !== 'fedavg') throw new RangeError('the root-trust defence runs on a fedavg task (consensus fedavg)');
  const settings: EngineSettings = { ...(hooks.settings ?? {}), ...(o.defence ? { rootTrust: true } : {}) };
  const rule = o.rule ?? taskRule(settings);
  // The genesis records the engine's configuration and the rule, so `ledger verify` can re-run decisions.
  const engineCfg = engineParams(makeEngine(engineName, o.devices, settings), rule);
  const genesis0 = G === 1 ? demoGenesis({ seed: o.seed, task, engine: engineName }, engineCfg) : clusterGenesis(o.seed, G, engineName, task, engineCfg);
  const eco = o.economy;
  const genesis = eco ? { ...genesis0, balances: economyBalances(eco, ids) } : genesis0;
  // Boards follow any gateway of this chain whose announcement a quorum certified.
  const trust = { chain: genesisBlock(genesis).hash, gateways: new Map(gwSigners.map((s, g) => [s.id, gwKeys[g].publicKey])) };
  const boardData = (i: number): Dataset => {
    if (o.misbehave?.[i] !== 'noisy-labels') return shards[i];
    const d = subsetRows(shards[i], Array.from({ length: shards[i].n }, (_, j) => j)), rng = new Rng(o.seed * 31 + i);
    for (let j = 0; j < d.n; j++) d.y[j] = rng.int(d.classes);
    return d;
  };
  const agents = ids.map((id, i) => new DeviceAgent({
    id, task, profile, data: boardData(i), dp: o.dp, engine: engineName,
    onEvent: process.env.EDGECHAIN_DEBUG ? (e) => console.error(JSON.stringify({ at: Date.now() % 100000, ...e })) : undefined,
    train: { epochs: o.misbehave?.[i] === 'free-rider' ? 0 : o.misbehave?.[i] === 'noisy-labels' ? 5 * o.epochs : o.epochs, batch: o.batch ?? TRAIN.batch, lr: o.lr ?? TRAIN.lr, seed: o.seed * 1000 + i },
    trust,
    signer: (fw) => { const s = new DeviceSigner(fw); s.provision(deviceSeed(id, o.seed)); return s; },
  }));

  let broker: EmbeddedBroker | undefined;
  const chain = genesisBlock(genesis).hash;
  const secure = o.secure && !o.broker ? o.secure : undefined;
  const tls = secure?.tls ? loopbackCertificate() : undefined;
  const clients = new Map<string, { key: Uint8Array; role: 'device' | 'gateway'; seed: Uint8Array }>([
    ...gwSigners.map((s, g) => [s.id, { key: gwKeys[g].publicRaw, role: 'gateway' as const, seed: gwSeeds[g] }] as const),
    ...agents.map((a) => [a.id, { key: a.publicKey(), role: 'device' as const, seed: deviceSeed(a.id, o.seed) }] as const),
  ]);
  const brokerUrl = o.broker ?? (broker = await startEmbeddedBroker(secure ? {
    security: { task, chain, client: (id) => clients.get(id), onRefused: hooks.onRefused }, tls,
  } : {})).url;
  hooks.onStart?.({ broker: brokerUrl, dataDir, train: shards.reduce((n, d) => n + d.n, 0), test: test.n, shards: shards.map((d) => d.n) });
  /** Connects as `id`: with a secured broker, with its token and the broker's certificate. */
  const connect = (id: string, will = true) => {
    const c = clients.get(id.split('~')[0]);
    const key = secure && c ? ed25519FromSeed(c.seed).privateKey : undefined;
    return MqttTransport.connect(brokerUrl, id, {
      ...(will ? { will: presenceWill(task, id) } : {}),
      ...(key ? { auth: { username: id.split('~')[0], password: () => mintToken(id.split('~')[0], chain, key) } } : {}),
      ...(tls ? { ca: tls.cert } : {}),
    });
  };

  const ledgers: Ledger[] = [];
  // sync: a block is fsynced before it is announced (about 1 ms a block: npm run bench -- --only hostile)
  for (let g = 0; g < G; g++) ledgers.push(await Ledger.open(G === 1 ? dataDir : join(dataDir, gatewayId(g)), { genesis, sync: o.sync ?? true }));
  // Permissioned admission (height 1): the managers register each provisioned board.
  if (ledgers[0].height < 1) {
    const devices = agents.map((a) => ({ id: a.id, publicKey: a.publicKey(), samples: a.samples }));
    if (G === 1) await ledgers[0].append(gwSigners[0], devices.map((d) => registrationTx(gwSigners[0], { id: d.id, publicKey: d.publicKey, profile: { ...dataProfile, size: d.samples } })), { engine: engineName, round: 0 }, Date.now());
    else {
      const b = await registrationBlock(ledgers[0], gwSigners, devices, engineName, dataProfile);
      for (let g = 1; g < G; g++) await ledgers[g].importBlock(b);
    }
  }

  // A reopened chain: the gateways resume after its last round (gateway/node.ts) and the boards
  // continue their message counters from it (no replays).
  const doneRounds = ledgers[0].head().cons.round ?? 0;
  if (doneRounds > 0) hooks.onResume?.({ round: doneRounds, height: ledgers[0].height, done: doneRounds >= o.rounds });
  // The task on the chain (004 steps 1-2): publish, fees, bids, selection; only winners train.
  // A resumed run keeps the task it published before.
  const published = eco ? ledgers[0].task(eco.task) : undefined;
  const winners = eco ? (published ? [...published.winners] : await openTask(ledgers, gwSigners, eco, agents.map((a) => ({ id: a.id, samples: a.samples })), { seed: o.seed, rounds: o.rounds, engine: engineName, rule })) : ids;
  const active = agents.filter((a) => winners.includes(a.id));
  const validation = subsetRows(test, Array.from({ length: Math.min(200, test.n) }, (_, j) => j));   // the computing center's (003)
  for (const a of agents) a.resumeCounter(ledgers[0].device(a.id)?.counter ?? 0);
  const m = o.model ?? {};
  const initialModel = m.initial ?? Kernel.initialModel(new FirmwareInstance(), { arch: m.arch ?? 'logreg', inputs: test.dim, hidden: m.hidden, outputs: test.classes, seed: o.seed, rounding: m.rounding });
  const drivers: RoundDriver[] = [];
  let stall: (QuorumStatus & { by: string }) | undefined;
  const finalities: Finality[] = [];
  const evaluators = Array.from({ length: G }, () => new Kernel(new FirmwareInstance()));
  // the defence's root digits, the same for every gateway (each trains on them with its own kernel)
  const rootData = settings.rootTrust ? mnistRootData(o.seed, settings.rootData) : undefined;
  const log = process.env.EDGECHAIN_DEBUG ? (e: object) => console.error(JSON.stringify(e)) : undefined;
  for (let g = 0; g < G; g++) {
    const p: GatewayParams = {
      id: gatewayId(g), seed: gwSeeds[g], genesis, ledger: ledgers[g], engine: engineName, devices: winners, settings, initialModel,
      rounds: o.rounds, roundTimeoutMs: o.roundTimeoutMs, viewTimeoutMs: hooks.viewTimeoutMs, rule: aggregator(rule), log,
      // every gateway evaluates: the accuracy is recorded in the block, so all must agree on it
      evaluate: (m) => { evaluators[g].load(m); const r = evaluators[g].evaluate(test); return { accuracy: r.accuracy, loss: r.loss }; },
      ...(rootData ? { reference: rootUpdater(decodeModel(initialModel).header, rootData, ROOT_TRAINING) } : {}),
    };
    const base = clusterNodeOptions(p);
    const stallOpts = G > 1 ? { stallTimeoutMs: o.stallTimeoutMs ?? Math.max(30_000, 5 * o.roundTimeoutMs), onStall: (q: QuorumStatus) => { stall ??= { ...q, by: gatewayId(g) }; drivers.forEach((d) => d.stop(true)); } } : {};
    const finality = hooks.finalityFactory && G > 1
      ? hooks.finalityFactory({ id: base.id, ledger: ledgers[g], signer: base.signer, gateways: base.gateways!, viewTimeoutMs: hooks.viewTimeoutMs ?? o.roundTimeoutMs, forkRule: base.pow?.forkRule, ...stallOpts }, g)
      : undefined;
    const transport = await connect(gatewayId(g));
    const economy = eco && {
      task: eco.task, perRound: eco.perRound ?? Math.floor(eco.pool / Math.max(1, o.rounds)), aggregator: gatewayId(0), center: gatewayId(G > 1 ? 1 : 0),
      contribute: kernelContribute({ rule: aggregator(rule), validation }),
    };
    const node = await gatewayNode({
      ...base, transport, finality, economy,
      ...stallOpts,
      onRound: g === 0 ? (s) => hooks.onRound?.(s, o.rounds, node.driver.state().model) : undefined,
      onReject: g === 0 ? hooks.onReject : undefined,
    });
    drivers.push(node.driver); finalities.push(node.finality);
  }
  const onAbort = () => drivers.forEach((d) => d.stop());
  hooks.signal?.addEventListener('abort', onAbort);
  let summaries: RoundSummary[] = [];
  let economyOut: RunResult['economy'];
  let finalRecord: { round: number; accuracy?: number } | undefined;
  const per: GatewayReport[] = [];
  try {
    for (const a of active) await a.connect(await connect(a.id));
    await hooks.beforeRounds?.({ brokerUrl, task, agents: active, chain, ca: tls?.cert });
    for (const d of drivers) await d.listen();
    for (const d of drivers) d.begin();
    hooks.onGateways?.({ drivers, finalities, ledgers });
    summaries = (await Promise.all(drivers.map((d) => d.run())))[0];
    if (stall) throw new Error(`the cluster stalled (${stall.by}): no block for ${Math.round(stall.waitedMs / 1000)} s at height ${stall.height} (view ${stall.view}): ${stall.approvals.length}/${stall.need} approvals (${stall.approvals.join(', ') || 'none'}), silent ${stall.silent.join(', ') || 'none'}`);
    if (eco) {   // 004 step 7: refund or slash every winner, close the task
      for (const d of drivers) await d.close();
      // a resumed run whose task was closed before has nothing left to settle
      const settlements = ledgers[0].task(eco.task)?.status === 'closed' ? [] : await closeTask(ledgers, gwSigners, eco, summaries, engineName);
      const sup = ledgers[0].supply();
      economyOut = { winners, settlements, rewards: rewardRows(ledgers[0].stateEntries(), eco.task, summaries, genesis.balances ?? {}, eco.fee), supply: { ok: sup.ok, supply: sup.supply } };
    }
    await hooks.afterRounds?.();
  } finally {
    hooks.signal?.removeEventListener('abort', onAbort);
    for (const d of drivers) await d.close();
    await Promise.all(drivers.map((d) => d.transport.close()));
    for (const a of active) await a.close();
    finalRecord = ledgers[0].model(task);
    for (let g = 0; g < G; g++) {
      const verified = (await ledgers[g].verify()).ok && (await replayDecisions(ledgers[g])).ok;
      per.push({ id: gwSigners[g].id, height: ledgers[g].height, head: Buffer.from(ledgers[g].headHash()).toString('hex'), verified, evidence: (finalities[g] as BftFinality | undefined)?.evidence?.length ?? 0 });
      await ledgers[g].close();
    }
    await broker?.close();
  }
  // Rounds and accuracy come from the chain: gateway 0 has no summary of a round it caught up on
  // from a peer (e.g. after a broker restart), but the chain's model record has every round.
  const last = summaries[summaries.length - 1];
  const recorded = finalRecord ? finalRecord.round - doneRounds : summaries.length;
  const finalAccuracy = last && (!finalRecord || last.round === finalRecord.round) ? last.accuracy : (finalRecord?.accuracy ?? 0) / 1e6;
  return {
    rounds: recorded, devices: o.devices, gateways: G, consensus: engineName, final_accuracy: finalAccuracy ?? 0,
    resumed_from: doneRounds,
    ledger_height: per[0]?.height ?? 0, ledger_verified: per.every((p) => p.verified), data_dir: dataDir,
    seconds: (Date.now() - t0) / 1000, summaries, per_gateway: per, economy: economyOut,
  };
}

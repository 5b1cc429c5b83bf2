// One federated training run: broker + gateway + N emulated boards. Used by `npm start`
// (sim/demo.ts) and by the end-to-end tests; all I/O choices come in through RunOptions.
import { mkdirSync } from 'node:fs';
import { resolve, join } from 'node:path';
import { loadMnist } from '../boards/data/mnist.js';
import { trainTestSplit } from '../boards/data/split.js';
import { partition } from '../boards/data/partition.js';
import { subset } from '../boards/data/mnist.js';
import { startEmbeddedBroker, type EmbeddedBroker } from '../gateway/broker.js';
import { Gateway, type RoundSummary } from '../gateway/gateway.js';
import { Ledger, registrationTx, nodeSigner, type GenesisConfig } from '../gateway/ledger/index.js';
import { ed25519FromSeed, demoSeed } from '../gateway/keys.js';
import { DeviceAgent } from '../boards/agent.js';
import { boardProfile } from '../boards/profiles.js';
import { FirmwareInstance } from '../boards/firmware/instance.js';
import { Kernel } from '../boards/firmware/kernel.js';
import { DeviceSigner } from '../boards/firmware/signer.js';
import type { EngineName } from '../gateway/consensus/engine.js';
import { runClusterFederated } from './run-cluster.js';

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
  /** Local differential privacy of every update (boards/agent.ts DpOptions). */
  dp?: { epsilon: number; clipL1: number };
  /** Round consensus engine (issue 6). Unset: the single-gateway FedAvg run. */
  consensus?: EngineName;
  /** Number of gateways (super nodes); > 1 or a consensus engine runs the BFT cluster (sim/run-cluster.ts). */
  gateways?: number;
  /** Aggregation rule for the cluster run (gateway/aggregate), default fedavg. */
  rule?: string;
}

export const DEFAULT_TASK = 'mnist-lr';
export const DEFAULTS = { devices: 10, rounds: 20, alpha: 0.5, seed: 1, epochs: 1, roundTimeoutMs: 15_000 };
/** Local SGD for logistic regression (kernel docs: lr is the real step on the batch-mean gradient). */
export const TRAIN = { batch: 32, lr: 0.5 };

export interface RunHooks {
  signal?: AbortSignal;
  onStart?(info: { broker: string; dataDir: string; train: number; test: number; shards: number[] }): void;
  onRound?(s: RoundSummary, total: number): void;
  onReject?(e: { device?: string; reason: string; detail: string }): void;
  /** Runs after boards connect and before round 1 (tests inject attackers here). */
  beforeRounds?(ctx: { brokerUrl: string; task: string; agents: DeviceAgent[] }): Promise<void> | void;
}

export interface RunResult {
  rounds: number;
  devices: number;
  final_accuracy: number;
  ledger_height: number;
  ledger_verified: boolean;
  data_dir: string;
  seconds: number;
  summaries: RoundSummary[];
}

/** The genesis of a demo run's chain: the gateway is the only manager (permissioned admission). */
export function demoGenesis(o: Pick<RunOptions, 'seed' | 'task'>): GenesisConfig {
  const gw = nodeSigner('gw-0', demoSeed('gateway', o.seed));
  const task = o.task ?? DEFAULT_TASK;
  return {
    chainId: `edgechain-fl/${task}`, managers: [{ id: gw.id, publicKey: gw.publicKey }],
    params: { task, engine: 'fedavg' }, timestamp: 0,
  };
}

/** Runs one federated training job end to end and returns its summary. */
export async function runFederated(o: RunOptions, hooks: RunHooks = {}): Promise<RunResult> {
  if (o.consensus !== undefined || (o.gateways ?? 1) > 1) return runClusterFederated(o, hooks);
  const t0 = Date.now();
  const task = o.task ?? DEFAULT_TASK;
  const dataDir = resolve(o.dataDir ?? join('data', `run-${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}`));
  mkdirSync(dataDir, { recursive: true });

  const { train, test } = trainTestSplit(loadMnist(), 0.2, o.seed);
  const shards = partition(train, o.devices, { kind: 'dirichlet', alpha: o.alpha }, o.seed);
  const profile = boardProfile(o.board ?? 'emulated');

  let broker: EmbeddedBroker | undefined;
  const brokerUrl = o.broker ?? (broker = await startEmbeddedBroker()).url;
  hooks.onStart?.({ broker: brokerUrl, dataDir, train: train.n, test: test.n, shards: shards.map((s) => s.length) });

  const gwSeed = demoSeed('gateway', o.seed);
  const gwKeys = ed25519FromSeed(gwSeed);
  const gwSigner = nodeSigner('gw-0', gwSeed);

  const agents: DeviceAgent[] = [];
  for (let i = 0; i < o.devices; i++) {
    const id = `dev-${String(i).padStart(4, '0')}`;
    const agent = new DeviceAgent({
      id, task, profile, data: subset(train, shards[i]),
      train: { epochs: o.epochs, batch: TRAIN.batch, lr: TRAIN.lr, seed: o.seed * 1000 + i },
      gatewayKey: gwKeys.publicKey, dp: o.dp,
      signer: (fw) => { const s = new DeviceSigner(fw); s.provision(demoSeed(id, o.seed)); return s; },
    });
    agents.push(agent);
  }

  const ledger = await Ledger.open(dataDir, { genesis: demoGenesis(o) });
  // Permissioned admission (000/002): the manager registers each provisioned board.
  if (ledger.height < 1) {
    const txs = agents.map((a) => registrationTx(gwSigner, {
      id: a.id, publicKey: a.publicKey(), profile: { categories: ['mnist'], types: ['image/u8'], size: a.samples },
    }));
    await ledger.append(gwSigner, txs, { engine: 'fedavg', round: 0 }, Date.now());
  }

  const evalFw = new FirmwareInstance();
  const evaluator = new Kernel(evalFw);
  const initialModel = Kernel.initialModel(evalFw, { arch: 'logreg', inputs: train.dim, outputs: train.classes, seed: o.seed });
  const gateway = new Gateway({
    id: gwSigner.id, task, ledger, signer: gwSigner, signingKey: gwKeys.privateKey, initialModel,
    rounds: o.rounds, expected: agents.map((a) => a.id), roundTimeoutMs: o.roundTimeoutMs,
    evaluate: (m) => { evaluator.load(m); const r = evaluator.evaluate(test); return { accuracy: r.accuracy, loss: r.loss }; },
    log: (e) => { if (e.event === 'reject') hooks.onReject?.(e as any); },
  });
  const onAbort = () => gateway.stop();
  hooks.signal?.addEventListener('abort', onAbort);

  let summaries: RoundSummary[] = [];
  let verified = false;
  let height = 0;
  try {
    await gateway.connect(brokerUrl);
    for (const a of agents) await a.connect(brokerUrl);
    await hooks.beforeRounds?.({ brokerUrl, task, agents });
    summaries = await gateway.run((s) => hooks.onRound?.(s, o.rounds));
  } finally {
    hooks.signal?.removeEventListener('abort', onAbort);
    await gateway.close();
    for (const a of agents) await a.close();
    verified = (await ledger.verify()).ok;
    height = ledger.height;
    await ledger.close();
    await broker?.close();
  }
  const last = summaries[summaries.length - 1];
  return {
    rounds: summaries.length, devices: o.devices, final_accuracy: last?.accuracy ?? 0,
    ledger_height: height, ledger_verified: verified, data_dir: dataDir,
    seconds: (Date.now() - t0) / 1000, summaries,
  };
}

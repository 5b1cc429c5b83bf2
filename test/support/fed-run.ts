// A small real federated run for tests that need a trained global model of any architecture
// on a ledger: embedded aedes broker, one gateway (FedAvg) with a LevelDB ledger, N boards
// running the firmware on Dirichlet shards of the MNIST digits. Same parts as sim/run.ts (which
// fixes the model to logistic regression); here the initial model is the caller's.
import { loadMnist, subset, type Dataset } from '../../sim/datasets/mnist.js';
import { trainTestSplit } from '../../sim/split.js';
import { partition } from '../../sim/partition.js';
import { startEmbeddedBroker } from '../../gateway/broker.js';
import { Gateway, type RoundSummary } from '../../gateway/gateway.js';
import { Ledger, registrationTx, nodeSigner } from '../../gateway/ledger/index.js';
import { ed25519FromSeed, demoSeed } from '../../gateway/keys.js';
import { DeviceAgent } from '../../boards/agent.js';
import { boardProfile } from '../../boards/profiles.js';
import { FirmwareInstance } from '../../boards/firmware/instance.js';
import { Kernel } from '../../boards/firmware/kernel.js';
import { DeviceSigner } from '../../boards/firmware/signer.js';

export interface FedRunOptions { dir: string; task: string; initialModel: Uint8Array; devices: number; rounds: number; seed: number; lr: number; epochs?: number }
export interface FedRunResult { summaries: RoundSummary[]; test: Dataset; train: Dataset }

/** Runs `rounds` FedAvg rounds and leaves the ledger (with every round's global model) in `dir`. */
export async function fedRun(o: FedRunOptions): Promise<FedRunResult> {
  const { train, test } = trainTestSplit(loadMnist(), 0.2, o.seed);
  const shards = partition(train, o.devices, { kind: 'dirichlet', alpha: 0.5 }, o.seed);
  const broker = await startEmbeddedBroker();
  const gwSeed = demoSeed('gateway', o.seed);
  const gwKeys = ed25519FromSeed(gwSeed);
  const gwSigner = nodeSigner('gw-0', gwSeed);
  const agents = shards.map((s, i) => {
    const id = `dev-${String(i).padStart(4, '0')}`;
    return new DeviceAgent({
      id, task: o.task, profile: boardProfile('emulated'), data: subset(train, s),
      train: { epochs: o.epochs ?? 1, batch: 32, lr: o.lr, seed: o.seed * 1000 + i }, gatewayKey: gwKeys.publicKey,
      signer: (fw) => { const sg = new DeviceSigner(fw); sg.provision(demoSeed(id, o.seed)); return sg; },
    });
  });
  const ledger = await Ledger.open(o.dir, {
    genesis: { chainId: `edgechain-fl/${o.task}`, managers: [{ id: gwSigner.id, publicKey: gwSigner.publicKey }], params: { task: o.task, engine: 'fedavg' }, timestamp: 0 },
  });
  await ledger.append(gwSigner, agents.map((a) => registrationTx(gwSigner, {
    id: a.id, publicKey: a.publicKey(), profile: { categories: ['mnist'], types: ['image/u8'], size: a.samples },
  })), { engine: 'fedavg', round: 0 }, 1);
  const evaluator = new Kernel(new FirmwareInstance());
  const gateway = new Gateway({
    id: gwSigner.id, task: o.task, ledger, signer: gwSigner, signingKey: gwKeys.privateKey, initialModel: o.initialModel,
    rounds: o.rounds, expected: agents.map((a) => a.id), roundTimeoutMs: 30_000,
    evaluate: (m) => { evaluator.load(m); const r = evaluator.evaluate(test); return { accuracy: r.accuracy, loss: r.loss }; },
  });
  let summaries: RoundSummary[] = [];
  try {
    await gateway.connect(broker.url);
    for (const a of agents) await a.connect(broker.url);
    summaries = await gateway.run();
  } finally {
    await gateway.close();
    for (const a of agents) await a.close();
    await ledger.close();
    await broker.close();
  }
  return { summaries, test, train };
}

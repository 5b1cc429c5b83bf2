// The multi-gateway run (issue 6 §6): G super nodes, each with its own key and LevelDB ledger,
// over one broker, with a round consensus engine (fedavg | committee | poq | pow), and N
// emulated boards each following its home gateway. The device-side consensus work (BFLC
// committee scoring, PoQ reports and audits) runs here in-process on each board's own
// firmware instance and local shard, signed with the board's key; gateways verify it all.
import { mkdirSync } from 'node:fs';
import { resolve, join } from 'node:path';
import { loadMnist, subset, type Dataset } from '../boards/data/mnist.js';
import { trainTestSplit } from '../boards/data/split.js';
import { partition } from '../boards/data/partition.js';
import { startEmbeddedBroker, type EmbeddedBroker } from '../gateway/broker.js';
import { Ledger, nodeSigner, type Signer } from '../gateway/ledger/index.js';
import { ed25519FromSeed } from '../gateway/keys.js';
import { DeviceAgent } from '../boards/agent.js';
import { boardProfile } from '../boards/profiles.js';
import { FirmwareInstance } from '../boards/firmware/instance.js';
import { Kernel } from '../boards/firmware/kernel.js';
import { DeviceSigner } from '../boards/firmware/signer.js';
import { encodeModel, decodeModel } from '../protocol/model-blob.js';
import { aggregator } from '../gateway/aggregate/index.js';
import { ClusterNode, type ClusterRoundSummary, type EvidenceSource } from '../gateway/cluster/node.js';
import { signScoreSheet } from '../gateway/consensus/committee.js';
import { poqEngine, signReport, blockDigest, auditWithin, type QualityReport } from '../gateway/consensus/poq.js';
import type { EngineName, RoundInput } from '../gateway/consensus/engine.js';
import { clusterGenesis, gatewayId, gatewaySeed, deviceId, deviceSeed, registrationBlock, clusterNodeOptions, type EngineSettings } from '../gateway/cluster/setup.js';
import type { RunOptions, RunHooks, RunResult } from './run.js';
import { DEFAULT_TASK, TRAIN } from './run.js';

export { clusterGenesis, gatewayId, makeEngine, type EngineSettings } from '../gateway/cluster/setup.js';

/** The devices' side of the engines, emulated on each board's own firmware and shard. */
function deviceEvidence(name: EngineName, agents: DeviceAgent[], shards: Dataset[], signers: Signer[], header: ReturnType<typeof decodeModel>['header'], poqTolerance = 600_000): EvidenceSource | undefined {
  const idx = new Map(agents.map((a, i) => [a.id, i]));
  const evalOn = (i: number, params: Int32Array) => { agents[i].kernel.load(encodeModel(header, params)); return agents[i].kernel.evaluate(shards[i]); };
  if (name === 'committee') {
    return { async collect(input: RoundInput) {
      // 002 §III: each member scores every candidate on its own data and signs its scores.
      return input.committee.filter((m) => idx.has(m)).map((m) => {
        const i = idx.get(m)!;
        return signScoreSheet(signers[i], input.round, input.prev, input.candidates.map((c) => ({ updateHash: c.updateHash, score: Math.round(evalOn(i, c.params).accuracy * 1e6) })));
      });
    } };
  }
  if (name === 'poq') {
    return { async collect(input: RoundInput) {
      // 001 §III-D: each party reports MAE(m_i) on its own data (Eq. 6); members audit and approve.
      const reports: QualityReport[] = input.candidates.map((c) => {
        const i = idx.get(c.id)!;
        return signReport(signers[i], { round: input.round, updateHash: c.updateHash, mae: Math.round(evalOn(i, c.params).mae * 1e6), n: c.n }, input.prev);
      }).sort((a, b) => (a.party < b.party ? -1 : 1));
      const eng = poqEngine();
      const ctx = { keyOf: (id: string) => signers[idx.get(id) ?? -1]?.publicKey, rule: aggregator('fedavg') };
      const draft = eng.decide(input, { reports, approvals: [] }, ctx);
      const global = aggregator('fedavg')(input.candidates.map((c) => ({ params: c.params, n: c.n })));
      const digest = blockDigest(input.round, input.prev, draft.leader ?? '', reports, global);
      const approvals = input.committee.filter((m) => idx.has(m)).flatMap((m) => {
        const i = idx.get(m)!;
        const recomputed = new Map(input.candidates.map((c) => [c.id, Math.round(evalOn(i, c.params).mae * 1e6)]));
        return auditWithin(reports, recomputed, Math.round(evalOn(i, global).mae * 1e6), poqTolerance) ? [{ member: m, sig: signers[i].sign(digest) }] : [];
      });
      return { reports, approvals };
    } };
  }
  return undefined;
}

export interface ClusterHooks extends RunHooks {
  /** Sees each node once connected (tests crash, cut off or corrupt nodes here). */
  onNodes?(nodes: ClusterNode[], ledgers: Ledger[]): void;
  settings?: EngineSettings;
  viewTimeoutMs?: number;
  /** Replaces node construction (tests: a Byzantine gateway). */
  nodeFactory?: (opts: ConstructorParameters<typeof ClusterNode>[0], g: number) => ClusterNode;
}

/** Runs the multi-gateway federated job; the result reports gateway 0's view. */
export async function runClusterFederated(o: RunOptions, hooks: ClusterHooks = {}): Promise<RunResult & { gateways: number; consensus: EngineName; per_gateway: { id: string; height: number; head: string; verified: boolean; evidence: number }[]; cluster_summaries: ClusterRoundSummary[] }> {
  const t0 = Date.now();
  const task = o.task ?? DEFAULT_TASK;
  const G = o.gateways ?? 4;
  const engineName: EngineName = o.consensus ?? 'fedavg';
  const dataDir = resolve(o.dataDir ?? join('data', `cluster-${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}`));
  mkdirSync(dataDir, { recursive: true });
  const { train, test } = trainTestSplit(loadMnist(), 0.2, o.seed);
  const parts = partition(train, o.devices, { kind: 'dirichlet', alpha: o.alpha }, o.seed);
  const shards = parts.map((p) => subset(train, p));
  const profile = boardProfile(o.board ?? 'emulated');
  let broker: EmbeddedBroker | undefined;
  const brokerUrl = o.broker ?? (broker = await startEmbeddedBroker()).url;
  hooks.onStart?.({ broker: brokerUrl, dataDir, train: train.n, test: test.n, shards: parts.map((s) => s.length) });

  const gwSeeds = Array.from({ length: G }, (_, g) => gatewaySeed(g, o.seed));
  const gwSigners = gwSeeds.map((seed, g) => nodeSigner(gatewayId(g), seed));
  const gwKeys = gwSeeds.map((seed) => ed25519FromSeed(seed));
  const ids = Array.from({ length: o.devices }, (_, i) => deviceId(i));
  const agents = ids.map((id, i) => new DeviceAgent({
    id, task, profile, data: shards[i],
    train: { epochs: o.epochs, batch: TRAIN.batch, lr: TRAIN.lr, seed: o.seed * 1000 + i },
    gatewayKey: gwKeys[i % G].publicKey,   // each board follows its home gateway
    signer: (fw) => { const s = new DeviceSigner(fw); s.provision(deviceSeed(id, o.seed)); return s; },
  }));
  const devSigners = ids.map((id) => nodeSigner(id, deviceSeed(id, o.seed)));   // the same seeds: the boards' keys

  const genesis = clusterGenesis(o.seed, G, engineName, task);
  const ledgers: Ledger[] = [];
  for (let g = 0; g < G; g++) ledgers.push(await Ledger.open(join(dataDir, gatewayId(g)), { genesis }));
  // Permissioned admission (height 1): gateway 0 proposes, all gateways approve, all import.
  if (ledgers[0].height < 1) {
    const b = await registrationBlock(ledgers[0], gwSigners, agents.map((a) => ({ id: a.id, publicKey: a.publicKey(), samples: a.samples })), engineName);
    for (let g = 1; g < G; g++) await ledgers[g].importBlock(b);
  }

  const evalFw = new FirmwareInstance();
  const evaluator = new Kernel(evalFw);
  const initialModel = Kernel.initialModel(evalFw, { arch: 'logreg', inputs: train.dim, outputs: train.classes, seed: o.seed });
  const settings = hooks.settings ?? {};
  const evidence = deviceEvidence(engineName, agents, shards, devSigners, decodeModel(initialModel).header, settings.poqTolerance);
  const nodes: ClusterNode[] = [];
  for (let g = 0; g < G; g++) {
    const opts = clusterNodeOptions({
      id: gatewayId(g), seed: gwSeeds[g], genesis, ledger: ledgers[g], engine: engineName, devices: ids, settings,
      initialModel, rounds: o.rounds, roundTimeoutMs: o.roundTimeoutMs, viewTimeoutMs: hooks.viewTimeoutMs,
      rule: aggregator(o.rule ?? 'fedavg'), evidence,
      log: process.env.EDGECHAIN_DEBUG ? (e: object) => console.error(JSON.stringify(e)) : undefined,
      evaluate: g === 0 ? (m: Uint8Array) => { evaluator.load(m); const r = evaluator.evaluate(test); return { accuracy: r.accuracy, loss: r.loss } } : undefined,
    });
    nodes.push(hooks.nodeFactory ? hooks.nodeFactory(opts, g) : new ClusterNode(opts));
  }
  const onAbort = () => nodes.forEach((n) => n.stop());
  hooks.signal?.addEventListener('abort', onAbort);
  let summaries: ClusterRoundSummary[] = [];
  const per: { id: string; height: number; head: string; verified: boolean; evidence: number }[] = [];
  try {
    for (const n of nodes) await n.connect(brokerUrl);
    for (const a of agents) await a.connect(brokerUrl);
    hooks.onNodes?.(nodes, ledgers);
    await hooks.beforeRounds?.({ brokerUrl, task, agents });
    const runs = nodes.map((n, g) => n.run(g === 0 ? (s) => hooks.onRound?.({ ...s, rejected: [], accepted: s.accepted } as any, o.rounds) : undefined));
    const results = await Promise.all(runs);
    summaries = results[0];
  } finally {
    hooks.signal?.removeEventListener('abort', onAbort);
    for (const n of nodes) await n.close();
    for (const a of agents) await a.close();
    for (let g = 0; g < G; g++) {
      per.push({ id: gwSigners[g].id, height: ledgers[g].height, head: Buffer.from(ledgers[g].headHash()).toString('hex'), verified: (await ledgers[g].verify()).ok, evidence: nodes[g]?.evidence.length ?? 0 });
      await ledgers[g].close();
    }
    await broker?.close();
  }
  // Accuracy on the held-out digits of the model gateway 0 finalized last.
  const last = summaries[summaries.length - 1];
  return {
    rounds: summaries.length, devices: o.devices, final_accuracy: last?.accuracy ?? 0, ledger_height: per[0]?.height ?? 0,
    ledger_verified: per.every((p) => p.verified), data_dir: dataDir, seconds: (Date.now() - t0) / 1000,
    summaries: [], gateways: G, consensus: engineName, per_gateway: per, cluster_summaries: summaries,
  };
}

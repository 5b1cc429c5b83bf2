// What every super node of one cluster shares, whether all gateways run in one process
// (sim/run.ts, bench) or one per edge box (gateway/cli.ts): demo keys, the genesis, the task's
// engine, the first device committee, the devices' registration block and the gateway node
// options built from them. Pure except for `registrationBlock` (a ledger).
import { ed25519FromSeed, demoSeed } from '../../protocol/keys.js';
import { nodeSigner, registrationTx, type Block, type GenesisConfig, type Ledger, type Signer } from '../ledger/index.js';
import { aggregator, type AggregationRule } from '../aggregate/index.js';
import { committeeEngine } from '../consensus/committee.js';
import { poqEngine } from '../consensus/poq.js';
import { powEngine } from '../consensus/pow.js';
import { fedavgEngine } from '../consensus/accept-all.js';
import { rootTrustEngine } from '../consensus/root-trust.js';
import type { AggregatorName } from '../aggregate/index.js';
import type { ConsensusEngine, EngineName } from '../consensus/engine.js';
import type { GatewayNodeOptions } from '../node.js';
import type { EvidenceSource } from '../round/ports.js';
import { deviceId, gatewayId } from '../../protocol/ids.js';

export { deviceId, gatewayId };

import type { TaskSettings } from '../../protocol/task.js';
/** Engine settings a task publishes (protocol/task.ts). */
export type EngineSettings = TaskSettings;

/** Demo key seed of gateway `g` in a seeded run (simulation, tests, `sim/cluster-init.ts`). */
export const gatewaySeed = (g: number, seed: number) => demoSeed(`gateway-${g}`, seed);
/** Demo key seed of a device in a seeded run: what its firmware signer is provisioned with. */
export const deviceSeed = (id: string, seed: number) => demoSeed(id, seed);

/** Genesis of the cluster chain: every gateway a manager; the ledger's committee engine over
 *  the gateways gives the ≥ 2f+1 finality check; `fl_consensus` records the task's engine.
 *  @example const genesis = clusterGenesis(7, 4, 'fedavg', 'mnist-lr') */
export function clusterGenesis(seed: number, gateways: number, engine: EngineName, task: string, engineCfg: Record<string, number | string> = {}): GenesisConfig {
  const managers = Array.from({ length: gateways }, (_, g) => { const s = nodeSigner(gatewayId(g), gatewaySeed(g, seed)); return { id: s.id, publicKey: s.publicKey }; });
  return { chainId: `edgechain-fl/${task}`, managers, params: { task, engine, consensus: 'quorum', fl_consensus: engine, ...engineCfg }, timestamp: 0 };
}

/** Builds the engine a task selected (`devices` sizes the BFLC committee and k). */
export function makeEngine(name: EngineName, devices: number, s: EngineSettings = {}): ConsensusEngine<any> {
  if (name === 'committee') {
    const size = committeeSize(name, devices, s);   // 002 §V: 40 % of active nodes
    return committeeEngine({ threshold: s.threshold ?? 200_000, k: s.k ?? Math.max(1, devices - size), size });
  }
  if (name === 'poq') return poqEngine({ threshold: s.poqThreshold });
  if (name === 'pow') return powEngine({ difficulty: s.difficulty ?? 10 });
  return s.rootTrust ? rootTrustEngine({ reputation: true }) : fedavgEngine;
}

/** The aggregation rule a task's settings imply: centered clipping under root trust (the
 *  default defence, docs/robustness.md), FedAvg otherwise. */
export function taskRule(s: EngineSettings = {}): AggregatorName {
  return s.rootTrust ? 'centeredClip' : 'fedavg';
}

function committeeSize(name: EngineName, devices: number, s: EngineSettings): number {
  return name === 'committee' ? Math.max(1, s.committeeSize ?? Math.round(devices * 0.4)) : 0;
}

/** The first device committee published with the task: BFLC the first M boards by id, PoQ
 *  every party, none for fedavg and pow. */
export function firstCommittee(name: EngineName, ids: readonly string[], s: EngineSettings = {}): string[] {
  if (name === 'committee') return ids.slice(0, committeeSize(name, ids.length, s));
  return name === 'poq' ? [...ids] : [];
}

/** A device as the gateways register it (permissioned admission). */
export interface DeviceEntry { id: string; publicKey: Uint8Array; samples: number }

/** Block 1 of the cluster chain: gateway 0 registers every device and all gateways approve
 *  (they must all be `approvers` here, so whoever builds it holds every gateway key: one
 *  process, or the deployment tool). Appended to `ledger`; other ledgers `importBlock` it.
 *  `data`: the devices' data profile (default MNIST digits). Throws LedgerError when `ledger` is
 *  not at height 0 of the cluster genesis. */
export async function registrationBlock(ledger: Ledger, gateways: Signer[], devices: readonly DeviceEntry[], engine: EngineName,
  data: { categories: string[]; types: string[] } = { categories: ['mnist'], types: ['image/u8'] }): Promise<Block> {
  const txs = devices.map((d) => registrationTx(gateways[0], { id: d.id, publicKey: d.publicKey, profile: { ...data, size: d.samples } }));
  return ledger.append(gateways[0], txs, { engine, round: 0, committee: gateways.map((s) => s.id), approvers: gateways }, 0);
}

/** What one gateway needs besides its ledger. */
export interface GatewayParams {
  id: string;
  seed: Uint8Array;               // the gateway's own 32-byte Ed25519 seed
  genesis: GenesisConfig;         // all gateways' keys (managers) and the task
  ledger: Ledger;
  engine: EngineName;
  devices: readonly string[];     // registered devices expected each round
  settings?: EngineSettings;
  initialModel: Uint8Array;
  rounds: number;
  roundTimeoutMs: number;
  viewTimeoutMs?: number;
  rule?: AggregationRule;
  evidence?: EvidenceSource;
  evaluate?: GatewayNodeOptions['evaluate'];
  /** The gateways' root update (settings.rootTrust; gateway/round/root-update.ts). */
  reference?: GatewayNodeOptions['reference'];
  log?: GatewayNodeOptions['log'];
}

/** Gateway node options (gateway/node.ts) for one gateway of the genesis, without its
 *  transport. Throws RangeError on a bad seed length, Error when the seed's key is not the
 *  genesis manager key of `id`.
 *  @example gatewayNode({ ...clusterNodeOptions({ id: 'gw-1', seed, genesis, ledger, … }), transport }) */
export function clusterNodeOptions(p: GatewayParams): Omit<GatewayNodeOptions, 'transport'> {
  const signer = nodeSigner(p.id, p.seed);
  const gateways = new Map(p.genesis.managers.map((m) => [m.id, m.publicKey]));
  const mine = gateways.get(p.id);
  if (!mine || Buffer.compare(Buffer.from(mine), Buffer.from(signer.publicKey)) !== 0) throw new Error(`the seed is not the genesis key of gateway ${p.id}`);
  const s = p.settings ?? {};
  return {
    id: p.id, task: String(p.genesis.params.task), ledger: p.ledger, signer, signingKey: ed25519FromSeed(p.seed).privateKey, gateways,
    engine: makeEngine(p.engine, p.devices.length, s), rule: p.rule ?? aggregator(taskRule(s)), reference: p.reference, initialModel: p.initialModel,
    committee: firstCommittee(p.engine, p.devices, s), rounds: p.rounds, devices: [...p.devices],
    roundTimeoutMs: p.roundTimeoutMs, viewTimeoutMs: p.viewTimeoutMs, evidence: p.evidence,
    // PoQ members audit on their own non-IID shards, hence the wide default tolerance
    pow: { difficulty: s.difficulty ?? 10, forkRule: s.forkRule }, poq: { tolerance: s.poqTolerance ?? 600_000 }, log: p.log, evaluate: p.evaluate,
  };
}

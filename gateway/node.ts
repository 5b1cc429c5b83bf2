// A gateway (road-side unit / super node) as one configuration of the round driver: its
// ledger, keys, task engine and rule, the transport and clock, and a Finality — a local
// append when it is the only gateway, BFT among gateways otherwise. The single-gateway demo,
// every cluster node (in one process or one per edge box) and the benchmark build gateways
// here; the simulator builds its own configuration in sim/gateway.ts.
import type { KeyObject } from 'node:crypto';
import { realClock, type Clock } from '../protocol/clock.js';
import type { Transport } from '../protocol/transport.js';
import { publicKeyObject } from '../protocol/cose.js';
import type { Ledger, Signer } from './ledger/index.js';
import type { AggregationRule, RuleOptions } from './aggregate/index.js';
import type { ConsensusEngine, EngineContext } from './consensus/engine.js';
import type { ForkRule } from './consensus/fork.js';
import { RoundDriver, type DriverLog } from './round/driver.js';
import { initialState, type RoundConfig, type RoundPlan } from './round/machine.js';
import { chainReward, type RoundReward } from './round/reward.js';
import { ledgerHead } from './round/head.js';
import type { Evaluate } from './round/content.js';
import type { RoundSummary, Rejection } from './round/summary.js';
import { noEvidence, type EvidenceSource, type Finality } from './round/ports.js';
import { LocalFinality } from './finality/local.js';
import { BftFinality, type BftOptions } from './finality/bft.js';
import { CommitteeEvidence } from './evidence/committee.js';
import { Miner } from './evidence/miner.js';
import { PoqEvidenceSource } from './evidence/poq.js';
import { decodeModel } from '../protocol/model-blob.js';

export interface GatewayNodeOptions {
  id: string;
  task: string;
  ledger: Ledger;
  /** Block and approval signatures, and the same key for COSE announcements. */
  signer: Signer;
  signingKey: KeyObject;
  engine: ConsensusEngine<any>;
  rule: AggregationRule;
  ruleOpts?: RuleOptions;
  initialModel: Uint8Array;
  /** Registered devices of the task. */
  devices: readonly string[];
  /** The first device committee (BFLC members, PoQ parties); later ones come from the chain. */
  committee?: readonly string[];
  rounds: number;
  roundTimeoutMs: number;
  transport: Transport;
  clock?: Clock;
  /** Every gateway's raw key when this node is one of several (BFT finality). */
  gateways?: ReadonlyMap<string, Uint8Array>;
  viewTimeoutMs?: number;
  /** BFT liveness: give up after this long without finality (BftOptions.stallTimeoutMs). */
  stallTimeoutMs?: number;
  onStall?: BftOptions['onStall'];
  pow?: { difficulty: number; forkRule?: ForkRule; forkWindowMs?: number; chunk?: number };
  /** PoQ members' audit tolerance, ppm (default 400000). */
  poq?: { tolerance?: number };
  /** Device-side evidence; default: committee sheets over the transport, PoW mining, or none. */
  evidence?: EvidenceSource;
  evidenceTimeoutMs?: number;
  evaluate?: Evaluate;
  /** The gateways' root update, for a root-trust engine (gateway/consensus/root-trust.ts). */
  reference?: EngineContext['reference'];
  plan?: RoundConfig['plan'];
  detect?: RoundConfig['detect'];
  /** The task's economy on the ledger (a published, selected task): each round pays from its pool. */
  economy?: Pick<RoundReward, 'task' | 'perRound' | 'aggregator'>;
  /** Replaces the BFT finality (tests: a Byzantine gateway). */
  finality?: Finality;
  onRound?(s: RoundSummary): void;
  onReject?(r: Rejection & { round: number }): void;
  log?: DriverLog;
}

/** Keys the engines check evidence against: gateways', then registered devices'. */
export function engineContext(o: Pick<GatewayNodeOptions, 'ledger' | 'gateways' | 'rule' | 'ruleOpts' | 'id' | 'signer' | 'reference'>): EngineContext {
  return {
    keyOf: (id) => o.gateways?.get(id) ?? (id === o.signer.id ? o.signer.publicKey : undefined) ?? o.ledger.deviceRecord(id)?.publicKey,
    rule: o.rule, ruleOpts: o.ruleOpts, ...(o.reference ? { reference: o.reference } : {}),
  };
}

/** The round configuration of a gateway. */
export function gatewayRoundConfig(o: GatewayNodeOptions): RoundConfig {
  return {
    task: o.task, chain: o.ledger.genesisHash(), gateway: o.id, engine: o.engine, ctx: engineContext(o), rounds: o.rounds, deadlineMs: o.roundTimeoutMs, devices: [...o.devices],
    registry: { device: (id) => { const d = o.ledger.device(id); return d && { key: publicKeyObject(d.publicKey), counter: d.counter }; } },
    evaluate: o.evaluate, plan: o.plan, detect: o.detect, complete: 'accepted',
    reward: o.economy && chainReward(o.ledger, o.economy),
  };
}

/** A gateway's driver and its finality.
 *  @example const { driver } = await gatewayNode(opts); await driver.start(); await driver.run(); await driver.close(); */
export async function gatewayNode(o: GatewayNodeOptions): Promise<{ driver: RoundDriver; finality: Finality; cfg: RoundConfig }> {
  const clock = o.clock ?? realClock;
  const cfg = gatewayRoundConfig(o);
  const several = (o.gateways?.size ?? 1) > 1;
  const finality = o.finality ?? (several
    ? new BftFinality({ id: o.id, ledger: o.ledger, signer: o.signer, gateways: o.gateways!, viewTimeoutMs: o.viewTimeoutMs ?? o.roundTimeoutMs, forkRule: o.pow?.forkRule, forkWindowMs: o.pow?.forkWindowMs, stallTimeoutMs: o.stallTimeoutMs, onStall: o.onStall })
    : new LocalFinality(o.ledger, o.signer));
  const caps = o.engine.caps;
  const onReject = (e: { reason: string; detail: string }) => o.log?.({ level: 'warn', event: 'reject', ...e });
  const timeoutMs = o.evidenceTimeoutMs ?? o.roundTimeoutMs;
  const evidence = o.evidence ?? (
    caps.evidence === 'work' ? new Miner({ miner: o.id, difficulty: o.pow?.difficulty ?? 10, ctx: cfg.ctx, chunk: o.pow?.chunk })
    : caps.evidence === 'devices' && caps.committee === 'separate' ? new CommitteeEvidence({ task: o.task, transport: o.transport, clock, keyOf: cfg.ctx.keyOf, timeoutMs, onReject })
    : caps.evidence === 'devices' ? new PoqEvidenceSource({ task: o.task, transport: o.transport, clock, ctx: cfg.ctx, header: decodeModel(o.initialModel).header, tolerance: o.poq?.tolerance ?? 400_000, timeoutMs, onReject })
    : noEvidence);
  // Restart: resume after the chain's last round, with its model and committee.
  const rec = o.ledger.model(o.task);
  const state = initialState({
    round: (o.ledger.head().cons.round ?? 0) + 1, head: await ledgerHead(o.ledger, o.signer),
    model: (rec && (await o.ledger.getBlob(rec.modelHash))) || o.initialModel, committee: rec?.committee ?? o.committee,
    trust: rec?.trust ? new Map(rec.trust) : undefined,
  });
  const driver = new RoundDriver({
    cfg, state, transport: o.transport, clock, finality, evidence, signingKey: o.signingKey, store: o.ledger,
    onRound: o.onRound, onReject: o.onReject, log: o.log,
  });
  return { driver, finality, cfg };
}

export type { RoundPlan };

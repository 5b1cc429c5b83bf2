// The simulator's gateway: one configuration of the round driver (gateway/round/driver.ts) —
// the scenario's engine and rule, seeded selection (sim/task.ts), copy / free-rider detectors,
// LocalFinality on the run's ledger, committee sheets over the transport, and a round that
// closes when every trainer was heard from or reported absent by its fleet worker (sim
// control markers) rather than at a wall-clock deadline, so runs are deterministic.
import type { KeyObject } from 'node:crypto';
import type { Scenario } from './scenario/schema.js';
import { realClock } from '../protocol/clock.js';
import type { Transport } from '../protocol/transport.js';
import { publicKeyObject } from '../protocol/cose.js';
import { planTopic, doneFilter } from '../protocol/topics.js';
import { deviceId, deviceIndex } from '../protocol/ids.js';
import type { Ledger, Signer } from '../gateway/ledger/index.js';
import { RoundDriver } from '../gateway/round/driver.js';
import { initialState, type RoundConfig } from '../gateway/round/machine.js';
import { ledgerHead } from '../gateway/round/head.js';
import type { RoundSummary } from '../gateway/round/summary.js';
import { LocalFinality } from '../gateway/finality/local.js';
import { CommitteeEvidence } from '../gateway/evidence/committee.js';
import { Miner } from '../gateway/evidence/miner.js';
import { noEvidence } from '../gateway/round/ports.js';
import { scenarioEngine, scenarioPlan, scenarioRule } from './task.js';
import { encodePlan, decodeDone, type DoneMsg } from './control.js';

/** One rejected update or message, by board index. */
export interface Rejected { index: number; reason: string; detail: string }

/** Everything measured in one round (one CSV row; reputation goes to its own file). */
export interface RoundResult {
  round: number; accuracy: number; loss: number;
  trainers: number; committee: number; received: number; accepted: number; rejected: number;
  reasons: Record<string, number>; unavailable: number; lost: number;
  bytesUp: number; bytesDown: number; units: number;
  consensusMs: number; wallMs: number;
  /** The round in simulated time: its slowest trainer on its board profile's link and compute speed. */
  simulatedMs: number;
  acceptedIds: number[]; rejectedList: Rejected[];
  /** The round's committee (board indices), for capture-rate analysis (docs/robustness.md). */
  committeeIds?: number[]; scores?: Map<number, number>; reputation?: Map<number, number>;
}

export interface SimGatewayOptions {
  scenario: Scenario; task: string; transport: Transport;
  gatewayId: string; signingKey: KeyObject; signer: Signer; ledger: Ledger;
  initialModel: Uint8Array; epochs(round: number): number;
  evaluate(model: Uint8Array): { accuracy: number; loss: number };
  /** Keys of boards and of this gateway (the PoW miner), for evidence checks. */
  keyOf(id: string): Uint8Array | undefined;
  /** The gateway's root update (root trust, `consensus.rootData`). */
  reference?(base: Int32Array, round: number): Int32Array;
  /** Longest a round may wait for the fleet before closing with what it has. */
  roundTimeoutMs?: number;
  onRound?(r: RoundResult): void;
}

/** Reputation shown in reputation.csv: exponential moving average of an update's committee
 *  score (weight ½ on the new one). A simulator metric only; the engine keeps no reputation. */
const ema = (old: number | undefined, x: number) => (old === undefined ? x : Math.round((old + x) / 2));

/** The simulated gateway's driver; its results arrive through `onRound`.
 *  @example const d = await simGateway(opts); await d.start(); await d.run(); */
export async function simGateway(o: SimGatewayOptions): Promise<RoundDriver> {
  const s = o.scenario;
  const engine = scenarioEngine(s);
  const ctx = { keyOf: o.keyOf, ...scenarioRule(s), ...(o.reference ? { reference: o.reference } : {}) };
  const timeout = o.roundTimeoutMs ?? 120_000;
  const cfg: RoundConfig = {
    task: o.task, chain: o.ledger.genesisHash(), gateway: o.gatewayId, engine, ctx, rounds: s.rounds, deadlineMs: timeout,
    devices: Array.from({ length: s.devices.count }, (_, i) => deviceId(i)),
    registry: { device: (id) => { const d = o.ledger.device(id); return d && { key: publicKeyObject(d.publicKey), counter: d.counter }; } },
    plan: scenarioPlan(s), complete: 'accounted', detect: s.detect, evaluate: o.evaluate,
    // the per-attacker metrics need every rejection by device, not a sample
    maxRejections: 4 * s.devices.count + 256,
  };
  // the registry's key objects are built once per device (publicKeyObject caches them), here at
  // set-up rather than inside round 1's admission (≈ 0.1–0.2 ms each, 10,000 boards: 1–2 s)
  for (const id of cfg.devices) cfg.registry.device(id);
  const clock = realClock;
  let sheetBytes = 0, announceBytes = 0, dones: DoneMsg[] = [];
  const reputation = new Map<number, number>();
  const evidence = engine.caps.evidence === 'work'
    ? new Miner({ miner: o.gatewayId, difficulty: s.consensus.difficulty, ctx, chunk: 1 << 16, maxNonces: 2 ** 30 })
    : engine.caps.evidence === 'devices'
      ? new CommitteeEvidence({ task: o.task, transport: o.transport, clock, keyOf: o.keyOf, timeoutMs: timeout, onBytes: (n) => { sheetBytes += n; } })
      : noEvidence;
  const driver = new RoundDriver({
    cfg, clock, transport: o.transport, evidence, signingKey: o.signingKey, store: o.ledger, publishSummaries: false,
    log: process.env.EDGECHAIN_DEBUG ? (e) => process.stderr.write(JSON.stringify(e) + '\n') : undefined,
    finality: new LocalFinality(o.ledger, o.signer),
    state: initialState({ head: await ledgerHead(o.ledger, o.signer), model: o.initialModel }),
    topics: [doneFilter(o.task)],
    handlers: {
      // a worker's end-of-round marker: its trainers that will send nothing this round
      done: (_t, payload, now) => {
        const d = decodeDone(payload);
        if (d.round !== driver.state().round) return [];
        dones.push(d);
        return [{ type: 'absent', devices: [...d.unavailable, ...d.lost].map(deviceId), now }];
      },
    },
    async onAnnounce(a, bytes) {
      announceBytes = bytes.length;
      const plan = { round: a.round, trainers: a.plan.trainers.map(deviceIndex), committee: a.plan.committee.map(deviceIndex), epochs: a.done ? 0 : o.epochs(a.round), done: a.done };
      await o.transport.publish(planTopic(o.task), encodePlan(plan), { qos: 1 });
    },
    onRound(r: RoundSummary) {
      const rejectedList = r.rejected.map((x) => ({ index: deviceIndex(x.device ?? ''), reason: x.reason, detail: x.detail }));
      const reasons: Record<string, number> = { ...r.rejectedCounts };
      for (const x of r.rejectedCounts ? [] : rejectedList) reasons[x.reason] = (reasons[x.reason] ?? 0) + 1;
      const scores = new Map(Object.entries(r.scores).map(([id, v]) => [deviceIndex(id), v]));
      const scored = engine.caps.evidence === 'devices';
      if (scored) for (const [i, v] of scores) reputation.set(i, ema(reputation.get(i), v));
      const m = r.committee.length, receivers = r.trainers.length + m;
      const res: RoundResult = {
        round: r.round, accuracy: r.accuracy ?? 0, loss: r.loss ?? 0, trainers: r.trainers.length, committee: m,
        received: r.received, accepted: r.accepted.length, rejected: r.rejectedTotal ?? rejectedList.length, reasons,
        unavailable: dones.reduce((a, d) => a + d.unavailable.length, 0), lost: dones.reduce((a, d) => a + d.lost.length, 0),
        bytesUp: r.bytesIn + sheetBytes,
        bytesDown: announceBytes * receivers + r.admittedBytes * m,
        // 002 Fig. 5 transmission units: one per full model moved (global to each receiver, each
        // update to the gateway and to each committee member)
        units: receivers + r.received + r.admitted * m,
        consensusMs: r.consensusMs, wallMs: r.ms, simulatedMs: dones.reduce((a, d) => Math.max(a, d.slowestMs), 0), acceptedIds: r.accepted.map(deviceIndex), rejectedList, committeeIds: r.committee.map(deviceIndex),
        scores: scored ? scores : undefined, reputation: scored ? new Map(reputation) : undefined,
      };
      sheetBytes = 0; dones = [];
      o.onRound?.(res);
    },
  });
  return driver;
}

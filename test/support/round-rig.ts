// A cluster of gateways and a fleet of synthetic devices on one in-memory bus and one fake
// clock: the fast round tests (round-machine, bft-finality) drive the real round driver,
// machine, BFT finality and ledgers (in memory) with no sockets and no sleeps.
import { MemoryBus } from '../../protocol/memory-bus.js';
import { sha256 as sha } from '../../protocol/bytes.js';
import { FakeClock } from '../../protocol/clock.js';
import { signSign1 } from '../../protocol/cose.js';
import { encodeUpdate } from '../../protocol/update.js';
import { decodeAnnouncement } from '../../protocol/announcement.js';
import { decodeModel, encodeModel } from '../../protocol/model-blob.js';
import { globalTopic, updateTopic } from '../../protocol/topics.js';
import { MAX_ANNOUNCEMENT_BYTES } from '../../protocol/limits.js';
import { deviceId, gatewayId } from '../../protocol/ids.js';
import type { Transport } from '../../protocol/transport.js';
import { Ledger, nodeSigner, type Signer } from '../../gateway/ledger/index.js';
import { ed25519FromSeed, demoSeed } from '../../protocol/keys.js';
import { aggregator } from '../../gateway/aggregate/index.js';
import { gatewayNode } from '../../gateway/node.js';
import { clusterGenesis, gatewaySeed, registrationBlock, makeEngine, firstCommittee } from '../../gateway/cluster/setup.js';
import type { RoundDriver } from '../../gateway/round/driver.js';
import type { RoundSummary } from '../../gateway/round/summary.js';
import type { Finality } from '../../gateway/round/ports.js';
import { BftFinality, type BftOptions } from '../../gateway/finality/bft.js';
import type { EngineName } from '../../protocol/task.js';
import { FirmwareInstance } from '../../boards/firmware/instance.js';
import { Kernel } from '../../boards/firmware/kernel.js';

export const TASK = 'rig';
const SEED = 4;

export interface RigOptions {
  gateways?: number; devices?: number; rounds?: number; engine?: EngineName;
  deadlineMs?: number; viewTimeoutMs?: number;
  /** Devices that never send. */
  silent?: number[];
  /** Builds gateway g's finality (a Byzantine gateway in tests). */
  finality?: (o: BftOptions, g: number) => Finality;
}

export interface Rig {
  bus: MemoryBus; clock: FakeClock; ledgers: Ledger[]; drivers: RoundDriver[]; finalities: Finality[];
  summaries: RoundSummary[][]; logs: { gw: string; event: string; reason?: string }[];
  devices: { id: string; key: ReturnType<typeof ed25519FromSeed> }[];
  signers: Signer[];
  /** Every gateway's raw public key. */
  gatewayKeys: ReadonlyMap<string, Uint8Array>;
  /** The signed update device i would send for an announcement (deterministic perturbation). */
  update(i: number, round: number, base: Uint8Array, ctr: number, bump?: number): Uint8Array;
  fleet: Transport;
  /** Advances fake time in steps until `cond` or `maxMs`; returns whether it held. */
  until(cond: () => boolean, maxMs?: number, stepMs?: number): Promise<boolean>;
  close(): Promise<void>;
}

/** Small model (8 inputs → 2 classes) from the firmware's deterministic init. */
export const rigModel = (() => { let m: Uint8Array | undefined; return () => (m ??= Kernel.initialModel(new FirmwareInstance(), { arch: 'logreg', inputs: 8, outputs: 2, seed: 1 })); })();

export async function rig(o: RigOptions = {}): Promise<Rig> {
  const G = o.gateways ?? 4, N = o.devices ?? 6, engine = o.engine ?? 'fedavg';
  const bus = new MemoryBus(), clock = new FakeClock(1_000);
  const genesis = clusterGenesis(SEED, G, engine, TASK);
  const gws = Array.from({ length: G }, (_, g) => nodeSigner(gatewayId(g), gatewaySeed(g, SEED)));
  const gwKeys = Array.from({ length: G }, (_, g) => ed25519FromSeed(gatewaySeed(g, SEED)));
  const devices = Array.from({ length: N }, (_, i) => ({ id: deviceId(i), key: ed25519FromSeed(demoSeed(deviceId(i), SEED)) }));
  const signers = devices.map((d) => nodeSigner(d.id, demoSeed(d.id, SEED)));
  const ledgers: Ledger[] = [];
  for (let g = 0; g < G; g++) ledgers.push(await Ledger.openMemory({ genesis }));
  const reg = await registrationBlock(ledgers[0], gws, devices.map((d) => ({ id: d.id, publicKey: d.key.publicRaw, samples: 10 })), engine);
  for (let g = 1; g < G; g++) await ledgers[g].importBlock(reg);
  const initialModel = rigModel();
  const gateways = new Map(gws.map((s) => [s.id, s.publicKey]));
  const ids = devices.map((d) => d.id);
  const summaries: RoundSummary[][] = gws.map(() => []);
  const logs: Rig['logs'] = [];
  const drivers: RoundDriver[] = [], finalities: Finality[] = [];
  const eng = makeEngine(engine, N, { difficulty: 4, threshold: 1 });
  for (let g = 0; g < G; g++) {
    const bft: BftOptions = { id: gws[g].id, ledger: ledgers[g], signer: gws[g], gateways, viewTimeoutMs: o.viewTimeoutMs ?? 500 };
    const node = await gatewayNode({
      id: gws[g].id, task: TASK, ledger: ledgers[g], signer: gws[g], signingKey: gwKeys[g].privateKey, gateways, engine: eng, rule: aggregator('fedavg'),
      initialModel, devices: ids, committee: firstCommittee(engine, ids), rounds: o.rounds ?? 3, roundTimeoutMs: o.deadlineMs ?? 1_000,
      viewTimeoutMs: o.viewTimeoutMs ?? 500, transport: bus.connect(gws[g].id), clock, pow: { difficulty: 4, chunk: 64 },
      finality: o.finality?.(bft, g), onRound: (s) => summaries[g].push(s),
      log: (e) => logs.push({ gw: gws[g].id, event: e.event, reason: e.reason as string | undefined }),
    });
    drivers.push(node.driver); finalities.push(node.finality);
  }
  const update = (i: number, round: number, base: Uint8Array, ctr: number, bump = 0) => {
    const m = decodeModel(base);
    const p = m.params.slice();
    for (let j = 0; j < p.length; j += 3) p[j] += ((i * 7 + j + round) % 11) - 5 + bump;
    const fields = { task: TASK, round, base: sha(base), n: 10 + i, model: encodeModel(m.header, p), ctr, metrics: {} };
    return signSign1(new TextEncoder().encode(devices[i].id), encodeUpdate(fields), devices[i].key.privateKey);
  };
  // The fleet follows gateway 0's announcements (every gateway announces the same model).
  const fleet = bus.connect('fleet');
  const trust = { chain: ledgers[0].genesisHash(), gateways: new Map(gws.map((s, g) => [s.id, gwKeys[g].publicKey])) };
  const silent = new Set(o.silent ?? []);
  let last = 0;
  fleet.onMessage((_t, payload) => {
    let a; try { a = decodeAnnouncement(payload, trust, MAX_ANNOUNCEMENT_BYTES); } catch { return; }
    if (a.done || a.round <= last) return;
    last = a.round;
    devices.forEach((d, i) => { if (!silent.has(i) && !a.committee?.includes(d.id)) void fleet.publish(updateTopic(TASK, d.id), update(i, a.round, a.model, a.round), { qos: 1 }); });
  });
  await fleet.subscribe([globalTopic(TASK)]);
  for (const d of drivers) await d.listen();
  for (const d of drivers) d.begin();
  return {
    bus, clock, ledgers, drivers, finalities, summaries, logs, devices, signers, update, fleet, gatewayKeys: gateways,
    async until(cond, maxMs = 60_000, stepMs = 10) {
      for (let t = 0; t <= maxMs && !cond(); t += stepMs) await clock.advance(stepMs);
      return cond();
    },
    async close() { for (const d of drivers) await d.close(); for (const l of ledgers) await l.close(); },
  };
}

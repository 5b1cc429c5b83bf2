// One board process of a fleet split over processes (docs/simulator.md §Several processes): it
// runs slice k of P of a scenario's boards (boards i with i mod P = k) on its own worker threads
// against an external broker, while the gateway runs in another process
// (`npm run sim -- <scenario> --broker URL --remote-fleet P`). Everything a board needs is derived
// from the scenario's seed exactly as the single-process run does (runInputs: data, shards, roles,
// the gateway's key, the chain's genesis), so the slices together are the same fleet.
//
// The process says it is ready on fl/<task>/sim/ready/<k> (repeated until the first round plan
// arrives, so the gateway and the board processes may start in any order), measures its memory
// once its workers have sent their round-1 done markers, and ends when the plan says done.
import { Ledger } from '../../gateway/ledger/index.js';
import { MqttTransport } from '../../boards/transport/mqtt.js';
import { planTopic, doneFilter, readyTopic } from '../../protocol/topics.js';
import type { RunSpec } from '../scenario/expand.js';
import { runInputs, measureMemory, type MemoryReport } from '../runner.js';
import { decodePlan, decodeDone, encodeReady } from '../control.js';
import { Fleet } from './fleet.js';
import { fullGc } from './heap.js';

export interface SliceOptions {
  broker: string;
  slice: { index: number; of: number };
  workers?: number;
  signal?: AbortSignal;
  /** Progress lines (default: stderr). */
  log?: (line: string) => void;
}

export interface SliceOutput {
  boards: number; workers: number; rounds: number;
  /** Memory of this process's boards after round 1 (same definition as the single-process run). */
  memory?: MemoryReport;
  setupMs: number; seconds: number;
}

/** How often a ready marker is repeated until the gateway's first plan arrives. */
const READY_EVERY_MS = 1000;

/** Parses `K/P` (0 ≤ K < P). Throws RangeError. */
export function parseSlice(v: string): { index: number; of: number } {
  const m = /^(\d+)\/(\d+)$/.exec(v.trim());
  const index = m ? Number(m[1]) : NaN, of = m ? Number(m[2]) : NaN;
  if (!m || !(of >= 1 && of <= 1024 && index < of)) throw new RangeError(`--slice expects K/P with 0 ≤ K < P ≤ 1024, got "${v}"`);
  return { index, of };
}

/** Runs this process's slice of the fleet until the gateway announces the last round done. */
export async function runSlice(spec: RunSpec, o: SliceOptions): Promise<SliceOutput> {
  const t0 = Date.now();
  const s = spec.scenario, task = s.name, log = o.log ?? ((l: string) => process.stderr.write(l + '\n'));
  if (s.mode === 'centralized') throw new RangeError('a centralized scenario has no fleet to split');
  const { shards, roles, gw, genesis } = runInputs(s);
  const mem = await Ledger.openMemory({ genesis });
  const chain = mem.genesisHash();
  await mem.close();
  const errors: string[] = [];
  let fail: (e: Error) => void = () => {};
  const fleet = new Fleet({
    scenario: s, roles, shards, brokerUrl: o.broker, task, gatewayPublicRaw: gw.publicRaw, chain, workers: o.workers, slice: o.slice,
    // refused for slices by the Fleet constructor: collective attacks need the whole fleet
    roundModel: () => { throw new Error('no collective step in a fleet slice'); },
    roundCounts: () => ({ trainers: 0, colluders: 0 }),
    onError: (m) => { errors.push(m); log(`fleet: ${m}`); fail(new Error(`fleet error: ${m}`)); },
  });
  const tag = `${o.slice.index + 1}/${o.slice.of}`;
  fullGc();
  const rss0 = process.memoryUsage().rss;
  const control = await MqttTransport.connect(o.broker, `fleet-${task}-slice-${o.slice.index}`);
  let timer: NodeJS.Timeout | undefined;
  let memory: Promise<MemoryReport> | undefined;
  let rounds = 0, setupMs = 0;
  try {
    const finished = new Promise<void>((res, rej) => {
      fail = rej;
      const stop = () => rej(new Error('interrupted'));
      o.signal?.addEventListener('abort', stop, { once: true });
      const round1Done = new Set<number>();
      control.onMessage((topic, payload) => {
        try {
          if (topic === planTopic(task)) {
            const p = decodePlan(payload);
            if (timer) { clearInterval(timer); timer = undefined; }
            if (p.done) { res(); return; }
            rounds = Math.max(rounds, p.round);
            log(`slice ${tag}: round ${p.round}`);
          } else {
            // this slice's workers' round-1 markers: the workers are idle, measure them now
            const d = decodeDone(payload);
            if (d.round === 1 && fleet.ownsWorker(d.worker)) round1Done.add(d.worker);
            if (!memory && round1Done.size === fleet.count) memory = measureMemory(fleet, shards, rss0);
          }
        } catch (e) { log(`slice ${tag}: ignored control message on ${topic}: ${(e as Error).message}`); }
      });
    });
    await control.subscribe([planTopic(task), doneFilter(task)]);
    log(`slice ${tag}: provisioning ${fleet.boards.length} boards on ${fleet.count} worker threads ...`);
    setupMs = await fleet.start();
    const ready = encodeReady({ slice: o.slice.index, of: o.slice.of, boards: fleet.boards.length });
    const announce = () => { control.publish(readyTopic(task, o.slice.index), ready, { qos: 1 }).catch((e) => log(`slice ${tag}: ready marker: ${(e as Error).message}`)); };
    announce();
    timer = setInterval(announce, READY_EVERY_MS);
    log(`slice ${tag}: ${fleet.boards.length} boards ready after ${setupMs} ms; waiting for the gateway's rounds`);
    await finished;
    if (errors.length) throw new Error(`fleet error: ${errors[0]}`);
  } finally {
    if (timer) clearInterval(timer);
    const m = await memory?.catch(() => undefined);
    await fleet.close();
    await control.close().catch(() => {});
    memory = m && Promise.resolve(m);
  }
  return { boards: fleet.boards.length, workers: fleet.count, rounds, memory: await memory, setupMs, seconds: (Date.now() - t0) / 1000 };
}

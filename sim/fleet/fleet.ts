// The fleet controller (main thread): spreads boards over worker threads (one per core by
// default), relays the collective step of colluding attackers, and reports memory.
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Scenario } from '../scenario/schema.js';
import { ATTACKS, COLLECTIVE_TYPES } from '../attacks/index.js';
import type { SharedShards } from './shards.js';
import type { WorkerInit, ToWorker, FromWorker } from './worker.js';
import type { ModelHeader } from '../../protocol/model-blob.js';

export interface FleetOptions {
  scenario: Scenario; roles: Int16Array; shards: SharedShards; brokerUrl: string; task: string;
  gatewayPublicRaw: Uint8Array; chain: Uint8Array; workers?: number;
  /** Run only slice `index` of `of` (boards i with i mod of = index): one of several board
   *  processes against one broker (sim/fleet/slice.ts). Default: every board. */
  slice?: { index: number; of: number };
  /** The round's global params and header, for the collective (LIE) step. */
  roundModel(round: number): { params: Int32Array; header: ModelHeader };
  /** Trainers and LIE colluders among them, per round. */
  roundCounts(round: number): { trainers: number; colluders: number };
  onError(message: string): void;
}

/** Worker ids of slice k are k·MAX_WORKERS_PER_SLICE + w (MQTT client ids must not collide). */
const MAX_WORKERS_PER_SLICE = 1024;

export interface FleetStats { boards: number; workers: number; wasmBytes: number; workerHeapBytes: number }

/** A running fleet of emulated boards. `start` resolves when every board is provisioned and connected. */
export class Fleet {
  private readonly workers: Worker[] = [];
  private collects = new Map<number, Int32Array[][]>();
  private stats: ((s: FromWorker & { t: 'stats' }) => void) | undefined;
  readonly count: number;

  /** The boards this fleet (or its slice) runs. */
  readonly boards: number[] = [];

  constructor(private readonly o: FleetOptions) {
    const sl = o.slice ?? { index: 0, of: 1 };
    if (!(Number.isInteger(sl.of) && sl.of >= 1 && Number.isInteger(sl.index) && sl.index >= 0 && sl.index < sl.of)) throw new RangeError(`fleet slice ${sl.index}/${sl.of}: expected 0 ≤ index < of`);
    // the collective step pools the honest updates of every colluder in one process
    if (sl.of > 1 && o.scenario.attackers.some((a) => COLLECTIVE_TYPES.has(a.type))) throw new RangeError('collective attacks (LIE, ALIE, IPM, min-max, min-sum, adaptive) need the whole fleet in one process');
    for (let i = sl.index; i < o.scenario.devices.count; i += sl.of) this.boards.push(i);
    this.count = Math.max(1, Math.min(o.workers ?? availableParallelism(), this.boards.length));
  }

  /** Spawns the workers; the k-th board of the fleet (or slice) goes to worker k mod W. Returns
   *  the slowest worker's set-up time. Worker ids are unique across the slices of one fleet. */
  async start(): Promise<number> {
    const url = new URL('./worker.js', import.meta.url);
    const ready: Promise<number>[] = [];
    const base = (this.o.slice?.index ?? 0) * MAX_WORKERS_PER_SLICE;
    for (let w = 0; w < this.count; w++) {
      const boards = this.boards.filter((_, k) => k % this.count === w);
      const init: WorkerInit = {
        worker: base + w, boards, scenario: this.o.scenario, roles: this.o.roles, shards: this.o.shards,
        brokerUrl: this.o.brokerUrl, task: this.o.task, gatewayPublicRaw: this.o.gatewayPublicRaw, chain: this.o.chain,
      };
      const worker = new Worker(fileURLToPath(url), { workerData: init });
      this.workers.push(worker);
      ready.push(new Promise((res, rej) => {
        worker.once('error', rej);
        worker.on('message', (m: FromWorker) => {
          if (m.t === 'ready') res(m.ms);
          else this.onMessage(m);
        });
      }));
      worker.on('error', (e) => this.o.onError(`worker ${w}: ${e.stack ?? e}`));
    }
    return Math.max(...(await Promise.all(ready)));
  }

  /** Whether worker id `w` (as in its done markers) is one of this fleet's. */
  ownsWorker(w: number): boolean {
    const base = (this.o.slice?.index ?? 0) * MAX_WORKERS_PER_SLICE;
    return w >= base && w < base + this.count;
  }

  private onMessage(m: FromWorker): void {
    if (m.t === 'error') this.o.onError(m.message);
    else if (m.t === 'stats') this.stats?.(m);
    else if (m.t === 'collect') {
      let got = this.collects.get(m.round);
      if (!got) this.collects.set(m.round, (got = []));
      got.push(m.honest);
      if (got.length === this.count) {
        this.collects.delete(m.round);
        const honest = got.flat();
        const rm = this.o.roundModel(m.round);
        const c = this.o.roundCounts(m.round);
        const spec = this.collectiveSpec();
        const params = honest.length && spec ? ATTACKS[spec.type].collective!(honest, {
          round: m.round, header: rm.header, global: rm.params, params: spec.params, trainers: c.trainers, colluders: c.colluders,
        }) : null;
        for (const w of this.workers) w.postMessage({ t: 'collective', round: m.round, params } satisfies ToWorker);
      }
    }
  }

  /** The scenario's collective attack (LIE, ALIE, IPM, min-max, min-sum, adaptive): its colluders pool. */
  private collectiveSpec() {
    return this.o.scenario.attackers.find((a) => COLLECTIVE_TYPES.has(a.type));
  }

  /** Firmware memory and worker heaps, summed over workers. */
  async memory(): Promise<FleetStats> {
    const parts: (FromWorker & { t: 'stats' })[] = [];
    await new Promise<void>((res) => {
      this.stats = (s) => { parts.push(s); if (parts.length === this.count) res(); };
      for (const w of this.workers) w.postMessage({ t: 'stats' } satisfies ToWorker);
    });
    this.stats = undefined;
    return {
      boards: parts.reduce((a, p) => a + p.boards, 0), workers: this.count,
      wasmBytes: parts.reduce((a, p) => a + p.wasmBytes, 0), workerHeapBytes: parts.reduce((a, p) => a + p.heapUsed, 0),
    };
  }

  /** Disconnects every worker and ends the threads. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => new Promise<void>((res) => {
      const timer = setTimeout(() => { void w.terminate().then(() => res()); }, 5000);
      w.once('exit', () => { clearTimeout(timer); res(); });
      w.on('message', (m: FromWorker) => { if (m.t === 'closed') void w.terminate(); });
      w.postMessage({ t: 'close' } satisfies ToWorker);
    })));
  }
}

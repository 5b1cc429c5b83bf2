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
  /** The round's global params and header, for the collective (LIE) step. */
  roundModel(round: number): { params: Int32Array; header: ModelHeader };
  /** Trainers and LIE colluders among them, per round. */
  roundCounts(round: number): { trainers: number; colluders: number };
  onError(message: string): void;
}

export interface FleetStats { boards: number; workers: number; wasmBytes: number; workerHeapBytes: number }

/** A running fleet of emulated boards. `start` resolves when every board is provisioned and connected. */
export class Fleet {
  private readonly workers: Worker[] = [];
  private collects = new Map<number, Int32Array[][]>();
  private stats: ((s: FromWorker & { t: 'stats' }) => void) | undefined;
  readonly count: number;

  constructor(private readonly o: FleetOptions) {
    this.count = Math.max(1, Math.min(o.workers ?? availableParallelism(), o.scenario.devices.count));
  }

  /** Spawns the workers; board i goes to worker i mod W. Returns the slowest worker's set-up time. */
  async start(): Promise<number> {
    const n = this.o.scenario.devices.count;
    const url = new URL('./worker.js', import.meta.url);
    const ready: Promise<number>[] = [];
    for (let w = 0; w < this.count; w++) {
      const boards: number[] = [];
      for (let i = w; i < n; i += this.count) boards.push(i);
      const init: WorkerInit = {
        worker: w, boards, scenario: this.o.scenario, roles: this.o.roles, shards: this.o.shards,
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

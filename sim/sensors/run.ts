// The sensor task end to end (`npm start -- --task sensors`): one emulated board per mote of
// the real single-hop sensor-network dataset. Each board's readings are replayed into its own
// ReadingStore (boards/store), turned into forecast windows on the board, and trained on in
// the firmware's linear-regression head; G gateways decide every round with the task's engine
// (PoQ by default: each party reports the MAE of its model on its own data, seed 001 Eq. 6–7)
// and finalise it by BFT. The run reports the global model's MAE on every board's held-out
// last 20 % against the float reference and the "last value" forecast, and how well its
// residuals flag the dataset's labelled events.
import { resolve, join } from 'node:path';
import { FirmwareInstance } from '../../boards/firmware/instance.js';
import { Kernel } from '../../boards/firmware/kernel.js';
import { ReadingStore } from '../../boards/store/readings.js';
import { SENSOR_WINDOW, timeSplit, windows, type WindowSet } from '../../boards/store/windows.js';
import { SENSOR_TASK, SENSOR_TRAIN, sensorModel, predictions, residualsC, meanAbs, lastValueMaeC, detection } from '../../boards/tasks/sensor-forecast.js';
import { loadSuthaharan, replay } from '../../boards/data/suthaharan.js';
import { deviceId } from '../../protocol/ids.js';
import type { EngineName } from '../../protocol/task.js';
import { runFederated } from '../run.js';
import { floatFromBlob, floatPredict, floatRound, type FloatLinear } from './float-ref.js';

export interface SensorRunOptions {
  rounds: number;
  seed: number;
  epochs: number;
  gateways: number;
  consensus: EngineName;
  roundTimeoutMs: number;
  broker?: string;
  dataDir?: string;
  /** Store capacity per board (records); the replay keeps the newest this many. */
  capacity?: number;
  /** Residual threshold (°C) above which a forecast flags an event (default 1 °C). */
  thresholdC?: number;
  /** PoQ tolerance, ppm of MAE in target units (default 50000 = 0.8 °C). */
  poqTolerance?: number;
}

export const SENSOR_DEFAULTS = { rounds: 20, seed: 1, epochs: 1, gateways: 4, consensus: 'poq' as EngineName, roundTimeoutMs: 15_000, capacity: 8192, thresholdC: 1 };

export interface SensorRoundLine { round: number; height: number; accepted: number; maeC: number; floatMaeC: number; ms: number }

export interface SensorRunResult {
  rounds: number; boards: number; gateways: number; consensus: EngineName;
  train: number; test: number;
  final_mae_c: number; float_mae_c: number; last_value_mae_c: number;
  /** final_mae / float_mae − 1 and final_mae / last_value − 1. */
  vs_float: number; vs_last_value: number;
  anomaly: { threshold_c: number; events: number; windows: number; tp: number; fp: number; fn: number; precision: number; recall: number };
  ledger_height: number; ledger_verified: boolean; data_dir: string; seconds: number;
  per_round: SensorRoundLine[];
}

export interface SensorRunHooks {
  signal?: AbortSignal;
  onStart?(info: { broker: string; dataDir: string; boards: { id: string; mote: number; indoor: boolean; train: number; test: number }[] }): void;
  onRound?(line: SensorRoundLine, total: number): void;
}

const concat = (sets: WindowSet[]): WindowSet => {
  const n = sets.reduce((s, d) => s + d.n, 0), dim = sets[0].dim;
  const out: WindowSet = { n, dim, classes: 1, x: new Uint8Array(n * dim), y: new Uint8Array(n), t: new Int32Array(n), now: new Int32Array(n), tNow: new Float64Array(n), tAhead: new Float64Array(n) };
  let o = 0;
  for (const d of sets) { out.x.set(d.x, o * dim); out.t.set(d.t, o); out.now.set(d.now, o); out.tNow.set(d.tNow, o); out.tAhead.set(d.tAhead, o); o += d.n; }
  return out;
};

/** Runs the federated sensor task and returns its figures. Throws RangeError on bad options.
 *  The rounds are runFederated's (sim/run.ts) over the boards' own windows. */
export async function runSensors(o: SensorRunOptions, hooks: SensorRunHooks = {}): Promise<SensorRunResult> {
  const t0 = Date.now();
  if (o.consensus === 'committee') throw new RangeError('the sensor task runs with --consensus poq, fedavg or pow (BFLC committee scores are accuracies)');
  const w = SENSOR_WINDOW;
  const dataDir = resolve(o.dataDir ?? join('data', `sensors-${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}`));

  // Each board = one mote: its readings enter its store as a sensor would deliver them.
  const motes = loadSuthaharan();
  const stores = motes.map((m) => { const s = new ReadingStore(o.capacity ?? SENSOR_DEFAULTS.capacity); replay(m, s); return s; });
  const splits = stores.map((s) => timeSplit(s, 0.8, w));
  const test = concat(splits.map((s) => s.test));
  const train = { ...SENSOR_TRAIN, epochs: o.epochs };
  const trainSeed = (i: number) => o.seed * 1000 + i;   // runFederated's per-board seed

  const initialModel = Kernel.initialModel(new FirmwareInstance(), sensorModel(o.seed));
  const maeOf = (blob: Uint8Array) => meanAbs(residualsC(test, predictions(blob, test), w));
  // the float reference follows the same rounds from the same initial weights
  let ref: FloatLinear = floatFromBlob(initialModel);
  const refMae = () => meanAbs(residualsC(test, floatPredict(ref, test), w));
  let global = initialModel;
  const lines: SensorRoundLine[] = [];
  const run = await runFederated({
    devices: motes.length, rounds: o.rounds, alpha: 0, seed: o.seed, epochs: o.epochs, roundTimeoutMs: o.roundTimeoutMs,
    broker: o.broker, dataDir, task: SENSOR_TASK, consensus: o.consensus, gateways: o.gateways,
    data: { shards: splits.map((s) => s.train), test, profile: { categories: ['sensor-network'], types: ['timeseries/q16'] } },
    model: { initial: initialModel }, lr: train.lr, batch: train.batch,
  }, {
    signal: hooks.signal,
    settings: { poqTolerance: o.poqTolerance ?? 50_000 },
    onStart: (i) => hooks.onStart?.({ broker: i.broker, dataDir: i.dataDir,
      boards: motes.map((m, b) => ({ id: deviceId(b), mote: m.mote, indoor: m.indoor, train: splits[b].train.n, test: splits[b].test.n })) }),
    onRound: (s, total, model) => {
      global = model;
      ref = floatRound(ref, splits.map((x) => x.train), train, (i) => trainSeed(i) + s.round);
      const line = { round: s.round, height: s.height, accepted: s.accepted.length, maeC: maeOf(model), floatMaeC: refMae(), ms: s.ms };
      lines.push(line);
      hooks.onRound?.(line, total);
    },
  });

  // Anomaly events: residuals of the final global model on every window of every board.
  const resid: number[] = [], labels: number[] = [];
  stores.forEach((store, i) => {
    const d = windows(store, w);
    const r = residualsC(d, predictions(global, d), w);
    const lab = motes[i].label, off = motes[i].temperature.length - store.length;   // store index → reading index
    for (let s = 0; s < d.n; s++) { resid.push(r[s]); labels.push(lab[off + d.now[s] + w.horizon]); }
  });
  const thr = o.thresholdC ?? SENSOR_DEFAULTS.thresholdC;
  const det = detection(resid, labels, thr);
  const final = maeOf(global), fl = refMae(), last = lastValueMaeC(test);
  return {
    rounds: lines.length, boards: motes.length, gateways: run.gateways, consensus: o.consensus,
    train: splits.reduce((s, x) => s + x.train.n, 0), test: test.n,
    final_mae_c: final, float_mae_c: fl, last_value_mae_c: last, vs_float: final / fl - 1, vs_last_value: final / last - 1,
    anomaly: { threshold_c: thr, events: labels.filter(Boolean).length, windows: labels.length, ...det },
    ledger_height: run.ledger_height, ledger_verified: run.ledger_verified, data_dir: run.data_dir, seconds: (Date.now() - t0) / 1000, per_round: lines,
  };
}

// A board training on its own sensor data: a SensorReader (./sensors) fills the board's
// ReadingStore (./store), and every `trainEvery` samples the firmware's linear-regression head
// trains on the store's forecast windows (the older 80 %) and is scored on the newest 20 %
// against the "last value" forecast. Hardware comes in as a johnny-five io; the command line
// is boards/sensor-cli.ts. Nothing here touches the network.
import { SensorBoard } from './sensors/board.js';
import { SensorReader, type ReaderOptions } from './sensors/sensor.js';
import type { SensorSpec } from './sensors/sensor.js';
import type { SensorFault, Sample } from './sensors/reading.js';
import { ReadingStore } from './store/readings.js';
import { SENSOR_WINDOW, timeSplit, windowLength, type WindowSpec } from './store/windows.js';
import { FirmwareInstance } from './firmware/instance.js';
import { Kernel } from './firmware/kernel.js';
import { SENSOR_TRAIN, sensorModel, predictions, residualsC, meanAbs, lastValueMaeC } from './tasks/sensor-forecast.js';
import type five from 'johnny-five';

export interface SensorBoardRunOptions {
  io: five.IO;
  spec: SensorSpec;
  reader?: ReaderOptions;
  /** Store capacity, records (default 4096 = 32 KiB). */
  capacity?: number;
  /** Train after every this many stored samples once enough exist (default 720 = 1 h at 5 s). */
  trainEvery?: number;
  window?: WindowSpec;
  seed?: number;
  readyTimeoutMs?: number;
}

export type SensorBoardEvent =
  | { event: 'sample'; sample: Sample }
  | { event: 'fault'; fault: SensorFault }
  | { event: 'train'; round: number; train: number; test: number; maeC: number; lastValueMaeC: number; loss: number }
  | { event: 'waiting'; have: number; need: number }
  | { event: 'train_error'; detail: string };

/** Readings the sensor task needs before the first local training (history + horizon, ×5 for a split). */
export const minReadings = (w: WindowSpec) => 5 * (windowLength(w) + w.horizon);

/** Opens the board, starts the sensor and trains periodically; resolves once ready.
 *  `stop()` tears everything down (no timers left). Rejects if the board is not ready. */
export async function runSensorBoard(o: SensorBoardRunOptions, onEvent: (e: SensorBoardEvent) => void): Promise<{ store: ReadingStore; kernel: Kernel; trainNow(): void; stop(): void }> {
  const w = o.window ?? SENSOR_WINDOW;
  const board = await SensorBoard.open(o.io, { readyTimeoutMs: o.readyTimeoutMs });
  const store = new ReadingStore(o.capacity);
  const fw = new FirmwareInstance();
  const kernel = new Kernel(fw);
  kernel.load(Kernel.initialModel(fw, sensorModel(o.seed ?? 1, w)));
  const every = o.trainEvery ?? 720;
  let since = 0, round = 0;
  const trainNow = () => {
    if (store.length < minReadings(w)) { onEvent({ event: 'waiting', have: store.length, need: minReadings(w) }); return; }
    try {
      const { train, test } = timeSplit(store, 0.8, w);
      const r = kernel.train(train, { ...SENSOR_TRAIN, seed: (o.seed ?? 1) * 1000 + ++round });
      const mae = meanAbs(residualsC(test, predictions(kernel.export(), test), w));
      onEvent({ event: 'train', round, train: train.n, test: test.n, maeC: mae, lastValueMaeC: lastValueMaeC(test), loss: r.loss });
    } catch (e) {
      onEvent({ event: 'train_error', detail: (e as Error).message });   // a bad window costs this round, not the board
    }
  };
  const reader = new SensorReader(board, o.spec, o.reader);
  reader.on('fault', (f: SensorFault) => onEvent({ event: 'fault', fault: f }));
  reader.on('sample', (s: Sample) => {
    // the task needs both channels; a one-channel part still logs its samples
    if (s.values.temperature !== undefined && s.values.humidity !== undefined) store.pushSample(s);
    onEvent({ event: 'sample', sample: s });
    if (++since >= every) { since = 0; trainNow(); }
  });
  reader.start();
  return { store, kernel, trainNow, stop: () => board.close() };
}

// The sensor task end to end on emulated boards fed from the real dataset: PoQ rounds on a
// BFT cluster, MAE against the float reference and the "last value" forecast; and the
// host-side predictions reproduce the firmware's own MAE exactly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSensors, SENSOR_DEFAULTS } from '../sim/sensors/run.js';
import { loadSuthaharan, replay } from '../sim/datasets/suthaharan.js';
import { ReadingStore } from '../boards/store/readings.js';
import { timeSplit } from '../boards/store/windows.js';
import { FirmwareInstance } from '../boards/firmware/instance.js';
import { Kernel } from '../boards/firmware/kernel.js';
import { sensorModel, predictions, SENSOR_TRAIN, detection } from '../boards/tasks/sensor-forecast.js';
import { tempDir } from './support/tmp.js';

test('dataset: 4 motes, 18,914 readings, labelled events on motes 1 and 4', () => {
  const m = loadSuthaharan();
  assert.deepEqual(m.map((x) => [x.mote, x.indoor]), [[1, true], [2, true], [3, false], [4, false]]);
  assert.equal(m.reduce((s, x) => s + x.temperature.length, 0), 18914);
  assert.deepEqual(m.map((x) => x.label.reduce((a, b) => a + b, 0)), [117, 0, 0, 32]);
});

test('predictions() equals the firmware MAE on a trained model', () => {
  const s = new ReadingStore(8192); replay(loadSuthaharan()[2], s);
  const { train, test: held } = timeSplit(s);
  const fw = new FirmwareInstance(), k = new Kernel(fw);
  k.load(Kernel.initialModel(fw, sensorModel(3)));
  k.train(train, { ...SENSOR_TRAIN, seed: 3 });
  const blob = k.export();
  const y = predictions(blob, held);
  let mae = 0; for (let i = 0; i < held.n; i++) mae += Math.abs(y[i] - held.t[i] / 65536);
  assert.ok(Math.abs(mae / held.n - k.evaluate(held).mae) < 1e-9, `${mae / held.n} vs ${k.evaluate(held).mae}`);
});

test('detection counts', () => {
  assert.deepEqual(detection([0.1, 2, 3, 0.2], [0, 1, 0, 1], 1), { tp: 1, fp: 1, fn: 1, precision: 0.5, recall: 0.5 });
});

test('federated sensor task under PoQ beats last value and stays within 10 % of float', async () => {
  const tmp = tempDir('sensors-');
  const r = await runSensors({ ...SENSOR_DEFAULTS, rounds: 10, dataDir: tmp.dir }).finally(() => tmp.cleanup());
  assert.equal(r.rounds, 10);
  assert.equal(r.boards, 4);
  assert.ok(r.ledger_verified);
  assert.ok(r.per_round.every((l) => l.accepted === 4), 'PoQ accepted every party each round');
  assert.ok(r.final_mae_c < r.last_value_mae_c, `MAE ${r.final_mae_c} < last value ${r.last_value_mae_c}`);
  assert.ok(Math.abs(r.vs_float) <= 0.10, `MAE ${r.final_mae_c} within 10 % of float ${r.float_mae_c}`);
  assert.ok(r.per_round[0].maeC > r.final_mae_c, 'training moved the model');
  // labelled readings that are the target of some window (a few sit in the first 6 min or last 10 min)
  assert.ok(r.anomaly.events <= 149 && r.anomaly.events >= 140, `${r.anomaly.events} events`);
  assert.equal(r.anomaly.tp + r.anomaly.fn, r.anomaly.events);
  assert.ok(r.anomaly.tp > 0 && r.anomaly.recall > 0.3, `recall ${r.anomaly.recall}`);
});

// The sensor task's parts: the dataset as shipped, host-side predictions that reproduce the
// firmware's own MAE exactly, and the event detector's counts. The federated run itself is
// test/e2e/sensors-run.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadSuthaharan, replay } from '../boards/data/suthaharan.js';
import { ReadingStore } from '../boards/store/readings.js';
import { timeSplit } from '../boards/store/windows.js';
import { FirmwareInstance } from '../boards/firmware/instance.js';
import { Kernel } from '../boards/firmware/kernel.js';
import { sensorModel, predictions, SENSOR_TRAIN, detection } from '../boards/tasks/sensor-forecast.js';

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

// A board training on its own sensor: SHT31-D over mock-firmata → store → local training in
// the firmware, on fake time, and torn down without timers left.
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { rig, shtBytes } from './support/firmata-rig.js';
import { runSensorBoard, minReadings, type SensorBoardEvent } from '../boards/sensor-board.js';
import { SENSORS } from '../boards/sensors/table.js';

test('readings fill the store and the board trains on them', async () => {
  mock.timers.enable({ apis: ['setInterval', 'setTimeout', 'Date'], now: Date.UTC(2026, 0, 1) });
  try {
    const r = rig();
    const window = { minutes: 2, perMinute: 3, horizon: 2, periodS: 1, targetScale: 16, targetClip: 255 };
    const events: SensorBoardEvent[] = [];
    const starting = runSensorBoard({ io: r.io, spec: SENSORS.sht31d, window, trainEvery: 20, reader: { periodMs: 1000 } }, (e) => events.push(e));
    r.io.emit('connect'); r.io.emit('ready');
    const board = await starting;
    // a slow warming with a humidity that leads it
    for (let i = 0; i < 60; i++) {
      r.dev.bytes = shtBytes(20 + 0.05 * i + 0.02 * Math.sin(i), 40 + 0.1 * Math.sin(i / 4));
      for (let k = 0; k < 10; k++) mock.timers.tick(100);
    }
    board.stop();
    assert.equal(board.store.length, 60);
    const kinds = events.map((e) => e.event);
    assert.equal(kinds.filter((k) => k === 'sample').length, 60);
    assert.ok(minReadings(window) === 40 && kinds.indexOf('waiting') < kinds.indexOf('train'), 'waits for enough readings, then trains');
    const trains = events.filter((e) => e.event === 'train');
    assert.equal(trains.length, 2);   // after samples 40 and 60
    for (const t of trains) assert.ok(t.train > 0 && t.test > 0 && Number.isFinite(t.maeC) && t.maeC >= 0);
    assert.ok(!kinds.includes('fault') && !kinds.includes('train_error'));
  } finally { mock.timers.reset(); }
});

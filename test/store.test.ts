// The board's reading store (bounds, fixed point, dropping the oldest) and the windows it
// turns into training samples for the sensor task.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReadingStore, RECORD_BYTES, MAX_CAPACITY } from '../boards/store/readings.js';
import { windows, timeSplit, batches, featureCount, windowLength, type WindowSpec } from '../boards/store/windows.js';

const T0 = Date.UTC(2026, 0, 1);

test('store: explicit size limit, fixed point, sentinels, oldest dropped', () => {
  assert.throws(() => new ReadingStore(0), /capacity/);
  assert.throws(() => new ReadingStore(MAX_CAPACITY + 1), /capacity/);
  const s = new ReadingStore(3);
  assert.equal(s.bytes, 3 * RECORD_BYTES);
  s.push({ t: T0, temperature: 21.234, humidity: 40.005 });
  s.push({ t: T0 + 5000, temperature: null, humidity: 41 });
  s.push({ t: T0 + 10000, temperature: -400, humidity: 1000 });   // saturates to the record's range
  assert.deepEqual(s.at(0), { t: T0, temperature: 21.23, humidity: 40.01 });
  assert.deepEqual(s.at(1), { t: T0 + 5000, temperature: null, humidity: 41 });
  assert.deepEqual(s.raw(2), { s: (T0 + 10000) / 1000, tC: -32767, hC: 65534 });
  s.push({ t: T0 + 15000, temperature: 22, humidity: 42 });
  assert.equal(s.length, 3);
  assert.equal(s.droppedCount, 1);
  assert.equal(s.at(0).t, T0 + 5000, 'the oldest record was dropped');
  assert.equal(s.at(2).temperature, 22);
  assert.throws(() => s.at(3), /outside/);
  assert.throws(() => s.push({ t: -1, temperature: 1 }), /u32 seconds/);
  s.pushSample({ sensor: 'sht31d', t: T0 + 20000, values: { temperature: 23.5 } });
  assert.deepEqual(s.at(2), { t: T0 + 20000, temperature: 23.5, humidity: null });
});

const W: WindowSpec = { minutes: 2, perMinute: 3, horizon: 2, periodS: 5, targetScale: 16, targetClip: 255 };

function fill(temps: number[], hums: number[], gapAt = -1): ReadingStore {
  const s = new ReadingStore(64);
  temps.forEach((t, i) => s.push({ t: T0 + (i + (i >= gapAt && gapAt >= 0 ? 10 : 0)) * 5000, temperature: t, humidity: hums[i] }));
  return s;
}

test('windows: features and targets follow the documented encoding', () => {
  //             0      1      2      3      4      5      6      7
  const T = [20.00, 20.03, 20.01, 20.10, 20.20, 20.30, 20.50, 23.40];
  const H = [40.0, 40.0, 40.0, 40.0, 40.0, 41.26, 40.0, 40.0];
  const d = windows(fill(T, H), W);
  assert.equal(d.dim, featureCount(W));
  assert.equal(windowLength(W), 6);
  // windows end at k = 5 (history 0..5, target 7) only: k + horizon must exist
  assert.deepEqual(Array.from(d.now), [5]);
  // minute 0 = mean(T5, T4, T3) − T5 = (20.20 − 20.30) → −10 centi-°C; minute 1 = mean(T2, T1, T0) − T5 = 20.0133 − 20.30 → −28.67 → −29
  // humidity: H5 − H0 = 1.26 %RH → 12.6 tenths → 13
  assert.deepEqual(Array.from(d.x), [128 - 10, 128 - 29, 128 + 13]);
  // target: T7 − T5 = 3.10 °C, clipped to 2.55 °C, in units of 16 °C, Q16
  assert.equal(d.t[0], Math.round((255 * 65536) / 1600));
  assert.equal(d.tNow[0], 20.3);
  assert.equal(d.tAhead[0], 23.4);
});

test('windows: a time gap or a missing channel breaks a window', () => {
  const T = Array.from({ length: 12 }, (_, i) => 20 + i / 100), H = T.map(() => 40);
  assert.equal(windows(fill(T, H), W).n, 12 - 5 - 2);
  assert.equal(windows(fill(T, H, 8), W).n, 1, 'only the window wholly before the gap at 8 remains');
  const s = fill(T, H); s.push({ t: T0 + 12 * 5000, temperature: 20.2 }); // no humidity
  assert.equal(windows(s, W).n, 12 - 5 - 2, 'the record without humidity is not a target or history');
});

test('timeSplit: held-out targets lie after every training target; batches cover the set', () => {
  const T = Array.from({ length: 40 }, (_, i) => 20 + Math.sin(i / 3)), H = T.map((_, i) => 40 + i / 10);
  const s = fill(T, H);
  const { train, test: held } = timeSplit(s, 0.8, W);
  assert.ok(train.n > 0 && held.n > 0);
  assert.ok(Math.max(...train.now) + W.horizon < Math.min(...held.now), 'no training target inside the held-out period');
  const parts = [...batches(train, 7)];
  assert.equal(parts.reduce((n, b) => n + b.n, 0), train.n);
  assert.ok(parts.every((b) => b.n <= 7));
  assert.deepEqual(Array.from(parts[1].x), Array.from(train.x.subarray(7 * train.dim, 14 * train.dim)));
  assert.throws(() => [...batches(train, 0)], /batch size/);
});

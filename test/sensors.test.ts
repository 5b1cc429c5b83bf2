// Every sensor of the table through johnny-five over mock-firmata (no hardware): normal
// readings, unplugged, out of range and stuck, on fake time; teardown on real time.
import { test, describe, mock, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { rig, shtBytes, tmp36Raw } from './support/firmata-rig.js';
import { SensorBoard } from '../boards/sensors/board.js';
import { SensorReader, type ReaderOptions } from '../boards/sensors/sensor.js';
import { SENSORS, sensorSpec } from '../boards/sensors/table.js';
import type { Reading, SensorFault, Sample } from '../boards/sensors/reading.js';

async function openReader(name: string, o: ReaderOptions = {}) {
  const r = rig(100);
  const opening = SensorBoard.open(r.io);
  r.io.emit('connect'); r.io.emit('ready');   // only after the Board has attached 'ready'
  const board = await opening;
  const reader = new SensorReader(board, sensorSpec(name), { periodMs: 1000, stuckAfter: 5, ...o });
  const readings: Reading[] = [], faults: SensorFault[] = [], samples: Sample[] = [];
  reader.on('reading', (x) => readings.push(x));
  reader.on('fault', (x) => faults.push(x));
  reader.on('sample', (x) => samples.push(x));
  reader.start();
  return { ...r, board, reader, readings, faults, samples };
}

describe('sensors over mock-firmata (fake time)', () => {
  let boards: SensorBoard[] = [];
  const use = async (name: string, o?: ReaderOptions) => { const x = await openReader(name, o); boards.push(x.board); return x; };
  const enable = () => mock.timers.enable({ apis: ['setInterval', 'setTimeout', 'Date'], now: 1_000_000 });
  // Node 20's mock Date jumps to the end of a tick before callbacks run: advance in small steps
  const tick = (ms: number) => { for (let t = 0; t < ms; t += 100) mock.timers.tick(100); };
  afterEach(() => { for (const b of boards) b.close(); boards = []; mock.timers.reset(); });

  test('the table has an analog sensor, a TMP36 and an I²C temperature + humidity sensor', () => {
    assert.deepEqual(Object.keys(SENSORS).sort(), ['analog', 'sht31d', 'tmp36']);
    assert.deepEqual(SENSORS.sht31d.channels.map((c) => c.quantity), ['temperature', 'humidity']);
    assert.throws(() => sensorSpec('dht11'), /unknown sensor dht11; known: analog, tmp36, sht31d/);
  });

  describe('analog', () => {
    test('normal readings are raw ADC counts, timestamped', async () => {
      enable();
      const s = await use('analog');
      s.analog.get(0)!(512);
      tick(1000);
      s.analog.get(0)!(600);
      tick(1000);
      assert.deepEqual(s.readings.map((r) => [r.quantity, r.unit, r.value, r.t]), [['analog', 'raw', 512, 1_001_000], ['analog', 'raw', 600, 1_002_000]]);
      assert.equal(s.faults.length, 0);
    });
    test('unplugged: a rail value, and no data within the timeout', async () => {
      enable();
      const s = await use('analog');
      s.analog.get(0)!(0);
      tick(1000);
      assert.equal(s.readings.length, 0);
      assert.deepEqual(s.faults.map((f) => f.kind), ['unplugged']);
      assert.match(s.faults[0].detail, /not-connected/);
      const q = await use('analog', { wiring: { pin: 'A1' } });
      tick(3000);
      // johnny-five's Sensor reports 0 before any data arrives, a rail: unplugged either way
      assert.deepEqual(q.faults.map((f) => f.kind), ['unplugged']);
      assert.ok(q.faults[0].t <= 1_004_000);
      assert.equal(q.readings.length, 0);
    });
    test('out of range of the deployment, then recovered', async () => {
      enable();
      const s = await use('analog', { ranges: { analog: [100, 900] } });
      s.analog.get(0)!(950);
      tick(1000);
      s.analog.get(0)!(400);
      tick(1000);
      assert.deepEqual(s.faults.map((f) => [f.kind, f.value]), [['out_of_range', 950], ['recovered', 400]]);
      assert.deepEqual(s.readings.map((r) => r.value), [400]);
      assert.throws(() => new SensorReader(s.board, SENSORS.analog, { ranges: { analog: [-5, 900] } }), /inside the part/);
    });
    test('stuck after stuckAfter identical samples', async () => {
      enable();
      const s = await use('analog');
      s.analog.get(0)!(300);
      tick(6000);
      assert.equal(s.readings.length, 4);
      assert.deepEqual(s.faults.map((f) => f.kind), ['stuck']);
    });
  });

  describe('tmp36', () => {
    test('normal readings in °C', async () => {
      enable();
      const s = await use('tmp36');
      s.analog.get(0)!(tmp36Raw(23));
      tick(1000);
      s.analog.get(0)!(tmp36Raw(24));
      tick(1000);
      assert.deepEqual(s.readings.map((r) => [r.unit, r.value]), [['°C', 23], ['°C', 24]]);
    });
    test('unplugged pin at a rail reads −50 °C', async () => {
      enable();
      const s = await use('tmp36');
      s.analog.get(0)!(0);
      tick(1000);
      assert.deepEqual(s.faults.map((f) => [f.kind, f.value]), [['unplugged', -50]]);
      assert.equal(s.readings.length, 0);
    });
    test('out of range above 125 °C', async () => {
      enable();
      const s = await use('tmp36');
      s.analog.get(0)!(tmp36Raw(150));
      tick(1000);
      assert.deepEqual(s.faults.map((f) => [f.kind, f.value]), [['out_of_range', 150]]);
    });
    test('stuck', async () => {
      enable();
      const s = await use('tmp36');
      s.analog.get(0)!(tmp36Raw(21));
      tick(5000);
      assert.deepEqual(s.faults.map((f) => f.kind), ['stuck']);
      assert.equal(s.readings.length, 4);
      s.analog.get(0)!(tmp36Raw(22));
      tick(1000);
      assert.deepEqual(s.faults.map((f) => f.kind), ['stuck', 'recovered']);
    });
  });

  describe('sht31d', () => {
    test('normal: temperature and humidity in one sample', async () => {
      enable();
      const s = await use('sht31d');
      s.dev.bytes = shtBytes(24.5, 41.2);
      tick(1000);
      s.dev.bytes = shtBytes(24.75, 40);
      tick(1000);
      assert.equal(s.samples.length, 2);
      const v = s.samples.map((x) => [x.values.temperature!, x.values.humidity!]);
      for (const [[t, h], [et, eh]] of v.map((x, i) => [x, [[24.5, 41.2], [24.75, 40]][i]])) {
        assert.ok(Math.abs(t - et) < 0.01, `temperature ${t} ≈ ${et}`);
        assert.ok(Math.abs(h - eh) < 0.01, `humidity ${h} ≈ ${eh}`);
      }
      assert.deepEqual(s.readings.map((r) => r.unit), ['°C', '%RH', '°C', '%RH']);
      assert.equal(s.faults.length, 0);
    });
    test('unplugged: no I²C answer, an all-ones bus, and a device that stops answering', async () => {
      enable();
      const a = await use('sht31d');
      tick(3000);
      assert.deepEqual(a.faults.map((f) => [f.quantity, f.kind]), [['temperature', 'unplugged'], ['humidity', 'unplugged']]);
      const b = await use('sht31d', { wiring: { address: 0x45 } });
      b.dev.bytes = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
      tick(1000);
      assert.deepEqual(b.faults.map((f) => [f.quantity, f.kind, f.value]), [['temperature', 'unplugged', 130]]);
      const c = await use('sht31d');
      c.dev.bytes = shtBytes(20, 50);
      tick(2000);
      c.dev.bytes = null;   // unplugged while running: johnny-five keeps the cached value
      tick(4000);
      assert.equal(c.samples.length, 4);
      assert.deepEqual(c.faults.map((f) => f.kind), ['unplugged', 'unplugged']);
      assert.match(c.faults[0].detail, /no data from the io/);
    });
    test('out of range humidity only drops that channel', async () => {
      enable();
      const s = await use('sht31d');
      s.dev.bytes = shtBytes(22, 100);
      s.dev.bytes[3] = 0xff; s.dev.bytes[4] = 0xff;   // 100.00 %RH is legal
      tick(1000);
      s.dev.bytes = shtBytes(-44, 30);
      tick(1000);
      assert.deepEqual(s.faults.map((f) => [f.quantity, f.kind]), [['temperature', 'out_of_range']]);
      assert.deepEqual(s.samples.map((x) => Object.keys(x.values)), [['temperature', 'humidity'], ['humidity']]);
    });
    test('stuck temperature while humidity moves', async () => {
      enable();
      const s = await use('sht31d');
      for (let i = 0; i < 6; i++) { s.dev.bytes = shtBytes(25, 40 + i); tick(1000); }
      assert.deepEqual(s.faults.map((f) => [f.quantity, f.kind]), [['temperature', 'stuck']]);
      assert.equal(s.readings.filter((r) => r.quantity === 'humidity').length, 6);
    });
  });

  test('a driver that throws becomes an error fault, not an exception', async () => {
    enable();
    const s = await use('analog');
    const bad = new SensorReader(s.board, { ...SENSORS.analog, name: 'broken', open: () => [() => { throw new Error('bus fault'); }] }, { periodMs: 1000 });
    const faults: SensorFault[] = [];
    bad.on('fault', (f) => faults.push(f));
    bad.start();
    tick(1000);
    assert.deepEqual(faults.map((f) => [f.kind, f.detail]), [['error', 'bus fault']]);
  });
});

test('close() leaves no timers behind (real time, Multi + Hygrometer + driver loop)', async () => {
  const timeouts = () => process.getActiveResourcesInfo().filter((x) => x === 'Timeout').length;
  const before = timeouts();
  const run = async (close: boolean) => {
    const r = rig();
    r.dev.bytes = shtBytes(21, 45);
    const opening = SensorBoard.open(r.io);
    r.io.emit('connect'); r.io.emit('ready');
    const board = await opening;
    const reader = new SensorReader(board, SENSORS.sht31d, { periodMs: 20 });
    const samples: Sample[] = [];
    reader.on('sample', (x) => samples.push(x));
    reader.start();
    await new Promise((res) => setTimeout(res, 120));
    assert.ok(samples.length >= 2, `got ${samples.length} samples`);
    if (close) board.close();
    await new Promise((res) => setTimeout(res, 60));   // the driver's last 16 ms read timeout
    return board;
  };
  // control: without close, johnny-five's intervals are still there (so this test can fail)
  const leaked = await run(false);
  assert.ok(timeouts() > before, 'an open board holds timers');
  leaked.close();
  await new Promise((res) => setTimeout(res, 60));
  assert.equal(timeouts(), before, 'closing the leaked board frees them');
  await run(true);
  assert.equal(timeouts(), before);
});

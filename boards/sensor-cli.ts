#!/usr/bin/env node
// A real board reading its own sensor and training on it (boards/sensor-board.ts):
//   node build/boards/sensor-cli.js --sensor sht31d --io firmata --port /dev/ttyUSB0
//        [--address 0x44 | --pin A0] [--period-ms 5000] [--capacity 4096] [--train-every 720] [--json]
// (also `node build/boards/cli.js --sensor …`). --io firmata: an Arduino-class board running
// StandardFirmata(Plus) on a serial port, through the `firmata` package (needs serialport's
// native binding, whose install script this project denies by default: see docs/sensors.md);
// --io raspi: the Pi's own GPIO/I²C through the `raspi-io` IO plugin (npm install raspi-io).
// Prints readings, faults and each local training's MAE; runs until SIGINT/SIGTERM.
// Exit codes: 0 stopped, 1 failure, 2 usage.
import { parseArgs } from 'node:util';
import { createRequire } from 'node:module';
import type five from 'johnny-five';
import { SENSORS, sensorSpec } from './sensors/table.js';
import { runSensorBoard, type SensorBoardEvent } from './sensor-board.js';

const USAGE = `usage: sensor-cli --sensor ${Object.keys(SENSORS).join('|')} --io firmata|raspi [--port /dev/ttyUSB0] [--address 0x44] [--pin A0]
        [--period-ms 5000] [--capacity 4096] [--train-every 720] [--json]
sensors:\n${Object.values(SENSORS).map((s) => `  ${s.name.padEnd(8)} ${s.part}`).join('\n')}\n`;

/** Opens the named IO: a Firmata board on `port`, or the raspi-io plugin. Throws with what to install. */
export async function openIO(kind: string, port?: string): Promise<five.IO> {
  const require = createRequire(import.meta.url);
  if (kind === 'firmata') {
    if (!port) throw new RangeError('--io firmata needs --port (e.g. /dev/ttyUSB0, /dev/ttyACM0)');
    let Firmata: new (port: string) => five.IO;
    try { Firmata = require('firmata'); } catch (e) {
      throw new Error(`cannot load firmata/serialport (${(e as Error).message}); serialport's native binding is not built by default: npm install-scripts approve @serialport/bindings && npm rebuild @serialport/bindings`);
    }
    return new Firmata(port);
  }
  if (kind === 'raspi') {
    let RaspiIO: new () => five.IO;
    try { ({ RaspiIO } = require('raspi-io')); } catch { throw new Error('--io raspi needs the raspi-io IO plugin: npm install raspi-io (on the Pi)'); }
    return new RaspiIO();
  }
  throw new RangeError(`--io must be firmata or raspi, got ${kind}`);
}

function line(e: SensorBoardEvent): string {
  switch (e.event) {
    case 'sample': return `${new Date(e.sample.t).toISOString()} ${Object.entries(e.sample.values).map(([q, v]) => `${q} ${v}`).join(' ')}`;
    case 'fault': return `fault ${e.fault.sensor}/${e.fault.quantity} ${e.fault.kind}: ${e.fault.detail}`;
    case 'train': return `train ${e.round}: ${e.train} windows, MAE ${e.maeC.toFixed(4)} °C on ${e.test} newest (last value ${e.lastValueMaeC.toFixed(4)})`;
    case 'waiting': return `train: ${e.have} of ${e.need} readings stored, waiting`;
    case 'train_error': return `train error: ${e.detail}`;
  }
}

export async function main(argv: string[]): Promise<number> {
  const { values: v } = parseArgs({ args: argv, options: {
    sensor: { type: 'string' }, io: { type: 'string' }, port: { type: 'string' }, address: { type: 'string' }, pin: { type: 'string' },
    'period-ms': { type: 'string', default: '5000' }, capacity: { type: 'string', default: '4096' }, 'train-every': { type: 'string', default: '720' },
    json: { type: 'boolean', default: false }, help: { type: 'boolean', default: false },
  } });
  if (v.help || !v.sensor || !v.io) { process.stderr.write(USAGE); return 2; }
  const spec = sensorSpec(v.sensor);
  const io = await openIO(v.io, v.port);
  const wiring = { ...(v.address ? { address: Number(v.address) } : {}), ...(v.pin ? { pin: v.pin } : {}) };
  const say = (e: SensorBoardEvent) => process.stdout.write((v.json ? JSON.stringify(e) : line(e)) + '\n');
  const run = await runSensorBoard({
    io, spec, capacity: Number(v.capacity), trainEvery: Number(v['train-every']),
    reader: { periodMs: Number(v['period-ms']), wiring },
  }, say);
  await new Promise<void>((res) => { process.once('SIGINT', res); process.once('SIGTERM', res); });
  run.stop();
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).then((c) => { process.exitCode = c; process.exit(); }, (e) => { process.stderr.write(`${e?.message ?? e}\n`); process.exitCode = e instanceof RangeError ? 2 : 1; process.exit(); });
}

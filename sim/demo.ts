// `npm start`: a federated training run on emulated boards over MQTT with embedded defaults.
// Starts an aedes broker (or uses --broker), one gateway with a LevelDB ledger, and N boards
// that each run the firmware .wasm on a non-IID Dirichlet shard of the MNIST digits.
import { parseArgs } from 'node:util';
import { runFederated, DEFAULTS, type RunOptions, type RunHooks } from './run.js';
import { ENGINE_NAMES, type EngineName } from '../protocol/task.js';
import { sensorDemo } from './sensors/demo.js';
import { withDashboard } from './dashboard.js';
import { loadMnist } from '../boards/data/mnist.js';
import { trainTestSplit } from '../boards/data/split.js';
import { escapeText } from '../protocol/log-text.js';
import { dashboardArgv, dashboardPort, DEFAULT_DASHBOARD_PORT } from '../gateway/dashboard/args.js';
import { ECONOMY_FLAGS, ECONOMY_HELP, economyFromFlags } from './economy/args.js';
import { rewardsTable } from './economy/rewards.js';

const HELP = `usage: npm start -- [options]
  --devices N        emulated boards (default ${DEFAULTS.devices})
  --rounds R         training rounds (default ${DEFAULTS.rounds})
  --alpha A          Dirichlet label-skew α (default ${DEFAULTS.alpha})
  --seed S           seed for split, partition, keys and training (default ${DEFAULTS.seed})
  --epochs E         local epochs per round (default ${DEFAULTS.epochs})
  --broker URL       use this MQTT broker (mqtt://host:port) instead of the embedded one
  --data-dir DIR     ledger directory (default ./data/run-<time>); an existing one resumes from its head
  --secure           embedded broker with token authentication by each board's key, topic ACLs and
                     per-connection packet and rate limits (docs/protocol.md#broker-security)
  --tls              with --secure: MQTT over TLS, certificate made with openssl at start
  --timeout-ms T     round deadline (default ${DEFAULTS.roundTimeoutMs})
  --dp-epsilon E     local DP: ε per round, (0, 1000] (discrete Laplace in firmware; off by default)
  --dp-clip C        local DP: L1 clip of the round's delta, master units (default 2000000)
  --consensus E      round consensus: fedavg | committee | poq | pow (docs/consensus.md); with it or
                     --gateways > 1 the run uses a BFT cluster of gateways (default: one gateway, FedAvg)
  --defence          the poisoning defence on a fedavg task: FLTrust with the gateways' root digits,
                     reputation across rounds, centered clipping (docs/robustness.md)
  --gateways G       gateways (super nodes), each with its own key and ledger (default 1; 4 with --consensus)
  --task T           mnist (default) | sensors: one board per mote of the real sensor-network
                     dataset forecasting its temperature (PoQ on 4 gateways; docs/sensors.md)
  --dashboard [PORT] serve the read-only web dashboard on http://127.0.0.1:PORT/ (default
                     ${DEFAULT_DASHBOARD_PORT}); it keeps serving after the last round until Ctrl-C
  --dashboard-host H bind address of the dashboard (default 127.0.0.1: loopback only)
${ECONOMY_HELP}
  --json             progress to stderr; last stdout line is one JSON summary
  --help`;

/** --consensus / --gateways, validated up front (exit 2 on a bad value). */
function clusterOptions(consensus: string | undefined, gateways: string | undefined): Pick<RunOptions, 'consensus' | 'gateways'> {
  if (consensus === undefined && gateways === undefined) return {};
  if (consensus !== undefined && !(ENGINE_NAMES as readonly string[]).includes(consensus)) { console.error(`--consensus must be one of ${ENGINE_NAMES.join(', ')}`); process.exit(2); }
  const g = gateways === undefined ? 4 : Number(gateways);
  if (!Number.isInteger(g) || g < 1 || g > 64) { console.error('--gateways must be an integer in [1, 64]'); process.exit(2); }
  return { consensus: (consensus ?? 'fedavg') as EngineName, gateways: g };
}

function main(): void {
  const { values } = parseArgs({
    args: dashboardArgv(process.argv.slice(2)),
    options: {
      dashboard: { type: 'string' }, 'dashboard-host': { type: 'string' },
      devices: { type: 'string' }, rounds: { type: 'string' }, alpha: { type: 'string' }, seed: { type: 'string' },
      epochs: { type: 'string' }, broker: { type: 'string' }, 'data-dir': { type: 'string' },
      'timeout-ms': { type: 'string' }, 'dp-epsilon': { type: 'string' }, 'dp-clip': { type: 'string' }, consensus: { type: 'string' }, gateways: { type: 'string' }, defence: { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean' },
      secure: { type: 'boolean' }, tls: { type: 'boolean' },
      task: { type: 'string' }, ...ECONOMY_FLAGS,
    },
  });
  if (values.help) { console.log(HELP); return; }
  if (values.task !== undefined && values.task !== 'mnist') { sensorDemo(values); return; }
  const num = (v: string | undefined, d: number, name: string): number => {
    if (v === undefined) return d;
    const x = Number(v);
    if (!Number.isFinite(x) || x <= 0) { console.error(`--${name} must be a positive number`); process.exit(2); }
    return x;
  };
  const opts: RunOptions = {
    devices: num(values.devices, DEFAULTS.devices, 'devices'),
    rounds: num(values.rounds, DEFAULTS.rounds, 'rounds'),
    alpha: num(values.alpha, DEFAULTS.alpha, 'alpha'),
    seed: num(values.seed, DEFAULTS.seed, 'seed'),
    epochs: num(values.epochs, DEFAULTS.epochs, 'epochs'),
    roundTimeoutMs: num(values['timeout-ms'], DEFAULTS.roundTimeoutMs, 'timeout-ms'),
    broker: values.broker,
    ...clusterOptions(values.consensus, values.gateways),
    ...(values.defence ? { defence: true } : {}),
    dataDir: values['data-dir'],
    economy: (() => { try { return economyFromFlags(values); } catch (e) { console.error((e as Error).message); process.exit(2); } })(),
    ...(values.secure ? { secure: { tls: values.tls === true } } : {}),
    dp: values['dp-epsilon'] === undefined ? undefined
      : { epsilon: num(values['dp-epsilon'], 0, 'dp-epsilon'), clipL1: num(values['dp-clip'], 2_000_000, 'dp-clip') },
  };
  if (opts.defence && opts.consensus !== undefined && opts.consensus !== 'fedavg') { console.error('--defence runs on a fedavg task: drop --consensus or use --consensus fedavg'); process.exit(2); }
  const json = values.json === true;
  const say = (line: string) => (json ? process.stderr : process.stdout).write(line + '\n');
  const warn = (line: string) => process.stderr.write(line + '\n');

  const controller = new AbortController();
  let interrupts = 0;
  process.on('SIGINT', () => {
    interrupts++;
    if (interrupts === 1) { warn('\ninterrupted: finishing the current round and closing the ledger (Ctrl-C again to quit now)'); controller.abort(); }
    else process.exit(130); // every committed block is one atomic LevelDB batch, so the ledger still verifies
  });

  let dashPort: number | undefined;
  try { dashPort = dashboardPort(values.dashboard); } catch (e) { console.error((e as Error).message); process.exit(2); }
  const baseHooks: RunHooks = {
    signal: controller.signal,
    onStart: (info) => {
      say(`edgechain-fl demo: ${opts.devices} emulated boards, ${opts.rounds} rounds, Dirichlet α=${opts.alpha}, seed ${opts.seed}`);
      say(`  broker   ${info.broker}${opts.broker ? '' : ` (embedded aedes${opts.secure ? ', authenticated, ACLs, rate limits' : ''})`}`);
      say(`  ledger   ${info.dataDir}`);
      say(`  data     MNIST (mnist package): ${info.train} train / ${info.test} held-out test digits; shard sizes ${info.shards.join(' ')}`);
    },
    onRound: (s, total) => {
      const w = 20, done = Math.round((s.round / total) * w);
      const bar = '█'.repeat(done) + '░'.repeat(w - done);
      const rej = s.rejectedTotal ? ` rejected ${s.rejectedTotal} (${Object.entries(s.rejectedCounts ?? {}).map(([k, n]) => `${k} ${n}`).join(', ')})` : '';
      say(`round ${String(s.round).padStart(3)}/${total} ${bar} acc ${(s.accuracy ?? 0).toFixed(4)} loss ${(s.loss ?? 0).toFixed(4)} updates ${s.accepted.length}${rej} height ${s.height} ${s.ms} ms`);
    },
    onResume: (r) => say(r.done
      ? `  resume   the ledger already holds all ${opts.rounds} rounds (height ${r.height}): this run is finished, nothing to train`
      : `  resume   the ledger holds rounds 1–${r.round} (height ${r.height}): continuing at round ${r.round + 1}`),
    onReject: (e: { device?: string; reason: string; detail: string }) => warn(`  rejected update from ${escapeText(e.device ?? '?', 64)}: ${e.reason} (${escapeText(e.detail)})`),
  };
  let hooks = baseHooks;
  if (dashPort !== undefined) {
    const until = new Promise<void>((res) => controller.signal.addEventListener('abort', () => res(), { once: true }));
    const digits = (opts.task ?? 'mnist').startsWith('mnist') ? trainTestSplit(loadMnist(), 0.2, opts.seed).test : undefined; // the run's held-out split
    const d = withDashboard(baseHooks, { port: dashPort, host: values['dashboard-host'], digits: digits && { x: digits.x, y: digits.y, n: digits.n, dim: digits.dim }, hold: async () => { say('all rounds done; the dashboard keeps serving (Ctrl-C to stop)'); await until; } });
    d.ready.then((dash) => say(`  dashboard ${dash.url}`), (e) => { console.error(`dashboard: ${(e as Error).message}`); process.exit(1); });
    hooks = d.hooks;
  }
  runFederated(opts, hooks).then((r) => {
    if (r.economy) {
      const e = r.economy;
      say(`rewards (task ${opts.economy!.task}: ${e.winners.length} winners, supply ${e.supply.supply} ${e.supply.ok ? 'conserved' : 'NOT CONSERVED'}):`);
      for (const line of rewardsTable(e.rewards)) say(line);
    }
    say(`done: final accuracy ${r.final_accuracy.toFixed(4)}, ledger height ${r.ledger_height} (${r.ledger_verified ? 'verified' : 'VERIFY FAILED'}), ${r.seconds.toFixed(1)} s`);
    if (json) console.log(JSON.stringify({ rounds: r.rounds, devices: r.devices, final_accuracy: r.final_accuracy, ledger_height: r.ledger_height, data_dir: r.data_dir, rewards: r.economy?.rewards }));
    process.exit(r.ledger_verified ? 0 : 1);
  }).catch((e) => { console.error(e instanceof RangeError ? `error: ${e.message}` : e); process.exit(1); });
}

main();

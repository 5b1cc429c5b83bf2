// `npm run sim -- <scenario.json|yaml> [options]` and `npm run sim -- report`.
// Runs every variant × sweep point of a scenario on the worker-thread fleet, shows a progress
// bar with rounds and ETA, and writes per-round CSV/JSON, reputation, a summary and SVG plots.
import { parseArgs } from 'node:util';
import { ScenarioError } from './scenario/schema.js';
import { summarize } from './metrics/record.js';
import { runFile } from './batch.js';

const HELP = `usage: npm run sim -- <scenario.json|.yaml> [options]
       npm run sim -- report [--only NAME,...]   regenerate sim/results/REPORT.md from sim/scenarios/
       npm run sim -- broker [--port N]        an embedded MQTT broker on 127.0.0.1 (for --broker)
       npm run sim -- robustness [--all | --only DEFENCE,...] [--workers JOBS]   the robustness benchmark
                        (sim/scenarios/robustness-*.yaml: the core set, or with --all also the committee
                        variants; JOBS runs at a time, default 2; resumes)
options:
  --out DIR        results directory (default sim/results/<scenario name>)
  --broker URL     use this MQTT broker instead of the embedded aedes
  --workers N      worker threads (default: one per core)
  --devices N      override devices.count        --rounds R   override rounds
  --remote-fleet P gateway only: wait on --broker for P board processes, then run the rounds
  --slice K/P      boards only: run boards i with i mod P = K against --broker's gateway
                   (one scenario run, no variants or sweeps; the same flags in every process)
  --json           progress to stderr; last stdout line is one JSON summary with
                   sim_boards, sim_round_wall_ms, sim_bytes_per_board
  --help`;

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      out: { type: 'string' }, broker: { type: 'string' }, workers: { type: 'string' }, devices: { type: 'string' }, rounds: { type: 'string' },
      json: { type: 'boolean' }, help: { type: 'boolean' }, only: { type: 'string' }, all: { type: 'boolean' },
      'remote-fleet': { type: 'string' }, slice: { type: 'string' }, port: { type: 'string' },
    },
  });
  if (values.help || positionals.length === 0) { console.log(HELP); return; }
  const int = (v: string | undefined, name: string) => {
    if (v === undefined) return undefined;
    const x = Number(v);
    if (!Number.isInteger(x) || x < 1) { console.error(`--${name} must be a positive integer`); process.exit(2); }
    return x;
  };
  const controller = new AbortController();
  process.on('SIGINT', () => { if (controller.signal.aborted) process.exit(130); controller.abort(); process.stderr.write('\ninterrupted: finishing the current round\n'); });
  if (positionals[0] === 'robustness') {
    const { runRobustness } = await import('./robustness/run.js');
    const { writeTables } = await import('./robustness/table.js');
    const recs = await runRobustness({ jobs: int(values.workers, 'workers'), only: values.only?.split(','), all: values.all, signal: controller.signal });
    console.log(writeTables(recs));
    return;
  }
  if (positionals[0] === 'broker') {
    const { startEmbeddedBroker } = await import('../gateway/broker.js');
    const b = await startEmbeddedBroker({ port: int(values.port, 'port') });
    console.log(`MQTT broker on ${b.url} (Ctrl-C stops it)`);
    await new Promise<void>((res) => controller.signal.addEventListener('abort', () => res(), { once: true }));
    await b.close();
    return;
  }
  if (values.slice !== undefined) {
    const { runSlice, parseSlice } = await import('./fleet/slice.js');
    const { loadScenario } = await import('./scenario/load.js');
    const { expandScenario } = await import('./scenario/expand.js');
    let slice;
    try { slice = parseSlice(values.slice); } catch (e) { console.error((e as Error).message); process.exit(2); }
    if (!values.broker) { console.error('--slice needs --broker URL (the broker the gateway process uses)'); process.exit(2); }
    const s = loadScenario(positionals[0]);
    const devices = int(values.devices, 'devices'), rounds = int(values.rounds, 'rounds');
    if (devices) s.devices.count = devices;
    if (rounds) s.rounds = rounds;
    const specs = expandScenario(s);
    if (specs.length !== 1) { console.error(`--slice runs one scenario run; ${positionals[0]} expands to ${specs.length} (variants or sweeps)`); process.exit(2); }
    const out = await runSlice(specs[0], { broker: values.broker, slice, workers: int(values.workers, 'workers'), signal: controller.signal });
    const m = out.memory;
    const line = {
      sim_slice: `${slice.index}/${slice.of}`, sim_boards: out.boards, sim_workers: out.workers, sim_rounds: out.rounds, sim_setup_ms: out.setupMs,
      sim_bytes_per_board: m?.bytesPerBoard ?? 0, sim_wasm_bytes_per_board: m?.wasmBytesPerBoard ?? 0, sim_heap_bytes_per_board: m?.heapBytesPerBoard ?? 0, sim_rss_bytes_per_board: m?.rssBytesPerBoard ?? 0,
    };
    if (values.json) console.log(JSON.stringify(line));
    else console.log(`slice ${line.sim_slice}: ${out.boards} boards, ${out.rounds} rounds` + (m ? `, ${(m.bytesPerBoard / 1024).toFixed(0)} KiB/board (wasm ${(m.wasmBytesPerBoard / 1024).toFixed(0)} KiB)` : ''));
    return;
  }
  if (positionals[0] === 'report') {
    const { generateReport } = await import('./report.js');
    await generateReport({ only: values.only?.split(','), broker: values.broker, workers: int(values.workers, 'workers'), signal: controller.signal });
    return;
  }
  const runs = await runFile(positionals[0], {
    out: values.out, broker: values.broker, workers: int(values.workers, 'workers'), devices: int(values.devices, 'devices'),
    rounds: int(values.rounds, 'rounds'), signal: controller.signal, remoteFleet: int(values['remote-fleet'], 'remote-fleet'),
  });
  const say = (l: string) => (values.json ? process.stderr : process.stdout).write(l + '\n');
  for (const r of runs) {
    const m = summarize(r);
    say(`${m.key}: final accuracy ${m.final_accuracy.toFixed(4)}, loss ${m.final_loss.toFixed(4)}, ${m.rounds} rounds, ${m.round_wall_ms} ms/round` +
      (Object.keys(m.rejections).length ? `, rejected ${JSON.stringify(m.rejections)}` : '') +
      (m.memory ? `, ${(m.memory.bytesPerBoard / 1024).toFixed(0)} KiB/board (wasm ${(m.memory.wasmBytesPerBoard / 1024).toFixed(0)} KiB)` : ''));
  }
  if (values.json) {
    const last = runs[runs.length - 1];
    const m = last ? summarize(last) : undefined;
    console.log(JSON.stringify({
      sim_boards: m?.memory?.boards ?? 0, sim_round_wall_ms: m?.round_wall_ms ?? 0, sim_bytes_per_board: m?.memory?.bytesPerBoard ?? 0,
      sim_wasm_bytes_per_board: m?.memory?.wasmBytesPerBoard ?? 0, sim_heap_bytes_per_board: m?.memory?.heapBytesPerBoard ?? 0,
      sim_rss_bytes_per_board: m?.memory?.rssBytesPerBoard ?? 0, sim_workers: m?.memory?.workers ?? 0,
      final_accuracy: m?.final_accuracy ?? 0, runs: runs.length,
    }));
  }
}

main().then(() => process.exit(0)).catch((e) => {
  if (e instanceof ScenarioError) { console.error(e.message); process.exit(2); }
  console.error(e);
  process.exit(1);
});

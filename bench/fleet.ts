// Fleet scale (docs/simulator.md "Measured"): wall time per round and memory per board held by the
// fleet's workers, for the scale scenario at n = 100, 1,000 and 10,000 emulated boards (each its
// own firmware instance, 2 worker threads). `BENCH_FLEET_SIZES=100,1000` shortens the run.
// Memory per board is the simulator's own figure (Σ firmware linear memory + worker heaps + the
// shared shard buffer, after round 1, sim/metrics/record.ts); the per-round wall time is the mean
// over the scenario's rounds. Sizes run one after another in this process. The largest size
// (BENCH_FLEET_SPLIT_SIZES, "" for none) runs again as a gateway process and 2 board processes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runFile } from '../sim/batch.js';
import { summarize } from '../sim/metrics/record.js';
import { readFileSync } from 'node:fs';
import { startEmbeddedBroker } from '../gateway/broker.js';
import { startCli } from '../test/support/cli-child.js';
import type { BenchSuite } from './index.js';

/** Board counts to run: BENCH_FLEET_SIZES (comma-separated) or 100, 1,000, 10,000. */
export function fleetSizes(env = process.env.BENCH_FLEET_SIZES): number[] {
  if (!env) return [100, 1000, 10000];
  const xs = env.split(',').map((s) => Number(s.trim()));
  if (!xs.length || xs.some((x) => !Number.isInteger(x) || x < 1 || x > 100000)) throw new RangeError(`BENCH_FLEET_SIZES: expected board counts 1..100000, got "${env}"`);
  return xs;
}

/** Sizes run as a gateway process + 2 board processes: BENCH_FLEET_SPLIT_SIZES or the largest of fleetSizes(). */
export function splitSizes(env = process.env.BENCH_FLEET_SPLIT_SIZES): number[] {
  if (env === '') return [];
  return env ? fleetSizes(env) : [Math.max(...fleetSizes())];
}

/** The scale scenario with the gateway in one process and the boards in two (one worker thread
 *  each), connected through an aedes broker in this process: round wall time, memory per board
 *  in the board processes, and the admission rate the gateway sustained while collecting
 *  (updates received / collection time, i.e. round time less the decision). */
async function splitRun(scenario: string, n: number, out: string, log: (l: string) => void) {
  const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'sim', 'cli.js');
  const broker = await startEmbeddedBroker();
  const common = [scenario, '--broker', broker.url, '--devices', String(n), '--rounds', '2'];
  const kids = [0, 1].map((k) => startCli(cli, [...common, '--slice', `${k}/2`, '--workers', '1']));
  kids.push(startCli(cli, [...common, '--remote-fleet', '2', '--out', out]));
  try {
    const codes = await Promise.all(kids.map((c) => c.exited));
    if (codes.some((c) => c !== 0)) throw new Error(`fleet ${n} (3 processes): exit codes ${codes.join(', ')}\n${kids.map((c) => c.stderr.slice(-5).join('\n')).join('\n')}`);
  } finally { for (const c of kids) c.p.kill(); await broker.close(); }
  const gw = kids[2].events.at(-1)!, slices = kids.slice(0, 2).map((c) => c.events.at(-1)!);
  const rounds = JSON.parse(readFileSync(join(out, 'rounds.json'), 'utf8')) as { received: number; wall_ms: number; consensus_ms: number }[];
  const rate = rounds.reduce((a, r) => a + r.received / Math.max(1, r.wall_ms - r.consensus_ms) * 1000, 0) / rounds.length;
  const boards = slices.reduce((a, e) => a + e.sim_boards, 0);
  const bytes = slices.reduce((a, e) => a + e.sim_bytes_per_board * e.sim_boards, 0) / boards;
  log(`fleet: ${n} boards in 2 board processes: ${gw.sim_round_wall_ms} ms/round, ${Math.round(rate)} updates/s admitted`);
  return { wall: gw.sim_round_wall_ms as number, bytes: Math.round(bytes), rate: Math.round(rate), boards };
}

const suite: BenchSuite = {
  name: 'fleet (scale scenario, 2 rounds, ledger on)',
  async run(log) {
    const here = dirname(fileURLToPath(import.meta.url));
    const scenario = join(here, '..', '..', 'sim', 'scenarios', 'scale-1000.yaml');
    const rows: [string, string, string][] = [];
    const json: Record<string, number | string> = {};
    for (const n of fleetSizes()) {
      const out = mkdtempSync(join(tmpdir(), 'bench-fleet-'));
      try {
        log(`fleet: ${n} boards ...`);
        const runs = await runFile(scenario, { out, devices: n, rounds: 2 });
        const m = summarize(runs[runs.length - 1]);
        const mem = m.memory;
        if (!mem) throw new Error(`fleet ${n}: the run reported no memory figures`);
        json[`sim_round_wall_ms_${n}`] = m.round_wall_ms;
        const cpu = runs[runs.length - 1].cpuMs ?? [];
        if (cpu.length) json[`sim_round_cpu_ms_${n}`] = Math.round(cpu.reduce((a, b) => a + b, 0) / cpu.length);
        json[`sim_bytes_per_board_${n}`] = mem.bytesPerBoard;
        json[`sim_wasm_bytes_per_board_${n}`] = mem.wasmBytesPerBoard;
        json[`sim_rss_bytes_per_board_${n}`] = mem.rssBytesPerBoard;
        rows.push([`${n} boards: wall / round`, `${m.round_wall_ms} ms`, 'target ≤ 10,000 ms']);
        if (json[`sim_round_cpu_ms_${n}`]) rows.push([`${n} boards: CPU / round`, `${json[`sim_round_cpu_ms_${n}`]} ms`, 'whole process, all threads (2 cores: wall ≥ CPU / 2)']);
        rows.push([`${n} boards: bytes / board (workers)`, `${(mem.bytesPerBoard / 1024).toFixed(1)} KiB`, `firmware ${(mem.wasmBytesPerBoard / 1024).toFixed(0)} KiB; target ≤ 100 KB`]);
        rows.push([`${n} boards: RSS growth / board`, `${(mem.rssBytesPerBoard / 1024).toFixed(1)} KiB`, 'whole process']);
      } finally { rmSync(out, { recursive: true, force: true }); }
    }
    for (const n of splitSizes()) {
      const out = mkdtempSync(join(tmpdir(), 'bench-fleet-split-'));
      try {
        log(`fleet: ${n} boards, gateway + 2 board processes ...`);
        const r = await splitRun(scenario, n, out, log);
        if (r.boards !== n) throw new Error(`fleet ${n} (3 processes): the board processes held ${r.boards} boards`);
        json[`sim_round_wall_ms_${n}_2proc`] = r.wall;
        json[`sim_bytes_per_board_${n}_2proc`] = r.bytes;
        json[`sim_admitted_updates_per_s_${n}_2proc`] = r.rate;
        const same = json[`sim_round_wall_ms_${n}`];
        rows.push([`${n} boards, 2 board processes: wall / round`, `${r.wall} ms`, same ? `one process, same run: ${same} ms` : 'target ≤ 10,000 ms']);
        rows.push([`${n} boards, 2 board processes: bytes / board`, `${(r.bytes / 1024).toFixed(1)} KiB`, 'in the board processes']);
        rows.push([`${n} boards, 2 board processes: admitted / s`, `${r.rate}/s`, 'while collecting; bound: gateway_admit_updates_per_s']);
      } finally { rmSync(out, { recursive: true, force: true }); }
    }
    return { rows, json };
  },
};
export default suite;

// Fleet scale (docs/simulator.md "Measured"): wall time per round and memory per board held by the
// fleet's workers, for the scale scenario at n = 100, 1,000 and 10,000 emulated boards (each its
// own firmware instance, 2 worker threads). `BENCH_FLEET_SIZES=100,1000` shortens the run.
// Memory per board is the simulator's own figure (Σ firmware linear memory + worker heaps + the
// shared shard buffer, after round 1, sim/metrics/record.ts); the per-round wall time is the mean
// over the scenario's rounds. Sizes run one after another in this process.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runFile } from '../sim/batch.js';
import { summarize } from '../sim/metrics/record.js';
import type { BenchSuite } from './index.js';

/** Board counts to run: BENCH_FLEET_SIZES (comma-separated) or 100, 1,000, 10,000. */
export function fleetSizes(env = process.env.BENCH_FLEET_SIZES): number[] {
  if (!env) return [100, 1000, 10000];
  const xs = env.split(',').map((s) => Number(s.trim()));
  if (!xs.length || xs.some((x) => !Number.isInteger(x) || x < 1 || x > 100000)) throw new RangeError(`BENCH_FLEET_SIZES: expected board counts 1..100000, got "${env}"`);
  return xs;
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
        json[`sim_bytes_per_board_${n}`] = mem.bytesPerBoard;
        json[`sim_wasm_bytes_per_board_${n}`] = mem.wasmBytesPerBoard;
        json[`sim_rss_bytes_per_board_${n}`] = mem.rssBytesPerBoard;
        rows.push([`${n} boards: wall / round`, `${m.round_wall_ms} ms`, 'target ≤ 10,000 ms']);
        rows.push([`${n} boards: bytes / board (workers)`, `${(mem.bytesPerBoard / 1024).toFixed(1)} KiB`, `firmware ${(mem.wasmBytesPerBoard / 1024).toFixed(0)} KiB; target ≤ 100 KB`]);
        rows.push([`${n} boards: RSS growth / board`, `${(mem.rssBytesPerBoard / 1024).toFixed(1)} KiB`, 'whole process']);
      } finally { rmSync(out, { recursive: true, force: true }); }
    }
    return { rows, json };
  },
};
export default suite;

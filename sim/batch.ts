// Runs a scenario file: every variant × sweep point on the fleet, with progress, then writes
// its results and plots. Shared by the `sim` command and the report.
import { join, resolve } from 'node:path';
import { loadScenario } from './scenario/load.js';
import { expandScenario } from './scenario/expand.js';
import { runScenario, type RunOutput } from './runner.js';
import { Progress } from './metrics/progress.js';
import { writeResults } from './metrics/record.js';
import { writePlots } from './plot/scenario-plots.js';

/** Runs `path` and writes results into `out` (default sim/results/<name>). */
export async function runFile(path: string, o: { out?: string; broker?: string; workers?: number; devices?: number; rounds?: number; quiet?: boolean; signal?: AbortSignal; remoteFleet?: number }): Promise<RunOutput[]> {
  const s = loadScenario(path);
  if (o.devices) s.devices.count = o.devices;
  if (o.rounds) s.rounds = o.rounds;
  const specs = expandScenario(s);
  if (o.remoteFleet && specs.length !== 1) throw new RangeError(`--remote-fleet runs one scenario run; ${path} expands to ${specs.length} (variants or sweeps)`);
  const progress = new Progress(specs.reduce((a, x) => a + x.scenario.rounds, 0));
  const runs: RunOutput[] = [];
  for (const spec of specs) {
    if (o.signal?.aborted) break;
    const out = await runScenario(spec, { broker: o.broker, workers: o.workers, remoteFleet: o.remoteFleet }, {
      signal: o.signal,
      onRound: (r) => progress.tick(spec.key, r.round, spec.scenario.rounds, r.accuracy, r.rejected ? ` rejected ${r.rejected}` : ''),
    });
    runs.push(out);
  }
  progress.end();
  const dir = resolve(o.out ?? join('sim', 'results', s.name));
  writeResults(dir, runs);
  writePlots(dir, s, runs);
  return runs;
}


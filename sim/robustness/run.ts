// The robustness benchmark (docs/robustness.md): runs every sim/scenarios/robustness-*.yaml
// (one file per defence; variants = attacks; sweep = Dirichlet α × attacker fraction × seed)
// on the real fleet, a few runs at a time, and keeps one record per run in
// sim/results/robustness/runs.json — written after every run, so an interrupted benchmark
// resumes where it stopped. `table.ts` turns the records into the report's tables.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadScenario } from '../scenario/load.js';
import { expandScenario, type RunSpec } from '../scenario/expand.js';
import { runScenario, type RunOutput } from '../runner.js';
import { formatEta } from '../metrics/progress.js';

/** One finished run: the cell it belongs to and what it measured. */
export interface RobustnessRecord {
  key: string; defence: string; attack: string; collude: boolean; alpha: number; fraction: number; seed: number;
  /** Mean test accuracy of the last 3 rounds, and of the last round. */
  accuracy: number; final: number;
  rounds: number; boards: number; seconds: number;
  /** Rounds whose committee held a colluding majority (> M/2 attackers), of rounds with a committee. */
  captured: number; committeeRounds: number; firstCaptured: boolean | null;
}

/** Defences of the extended comparison (committee variants), run only with `all`: the core set
 *  — clean, oracle, fedavg, committee, cclip and the default roottrust — took 11 min 46 s at 2
 *  runs at a time on a quiet 2-core host (docs/robustness.md); the extended one adds about 15. */
export const EXTENDED_DEFENCES = ['guarded', 'trust', 'trustclip', 'trustmed', 'trustmed5'];

/** The scenario files of the benchmark (the core set, or every file with `all`), sorted. */
export function robustnessFiles(dir = 'sim/scenarios', all = false): string[] {
  return readdirSync(dir).filter((f) => /^robustness-.*\.ya?ml$/.test(f))
    .filter((f) => all || !EXTENDED_DEFENCES.includes(f.replace(/^robustness-|\.ya?ml$/g, ''))).sort().map((f) => join(dir, f));
}

/** The record of one run. */
export function recordOf(spec: RunSpec, out: RunOutput): RobustnessRecord {
  const s = spec.scenario, rs = out.rounds, last = rs.slice(-3);
  const bad = new Set(out.attackers);
  const withCommittee = rs.filter((r) => (r.committeeIds?.length ?? 0) > 0);
  const captured = (ids: number[]) => ids.filter((i) => bad.has(i)).length * 2 > ids.length;
  const a = s.attackers[0];
  const part = s.dataset.partition;
  return {
    // robustness-clean.yaml lists the defences as variants; the other files are one defence each
    key: `${s.name} | ${spec.key}`, defence: s.name === 'robustness-clean' ? spec.label : s.name.replace(/^robustness-/, ''),
    attack: a && a.fraction > 0 ? spec.label : 'clean',
    collude: !!a?.collude || a?.type === 'colluding-committee', alpha: part.kind === 'dirichlet' ? part.alpha : Infinity,
    fraction: a?.fraction ?? 0, seed: s.seed,
    accuracy: last.reduce((x, r) => x + r.accuracy, 0) / Math.max(1, last.length), final: rs.at(-1)?.accuracy ?? 0,
    rounds: rs.length, boards: s.devices.count, seconds: out.seconds,
    captured: withCommittee.filter((r) => captured(r.committeeIds!)).length, committeeRounds: withCommittee.length,
    firstCaptured: withCommittee.length ? captured(withCommittee[0].committeeIds!) : null,
  };
}

/** Runs the benchmark's pending runs `jobs` at a time; returns every record (old and new). */
export async function runRobustness(o: { out?: string; jobs?: number; only?: string[]; all?: boolean; signal?: AbortSignal } = {}): Promise<RobustnessRecord[]> {
  const dir = resolve(o.out ?? join('sim', 'results', 'robustness'));
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'runs.json');
  const done: RobustnessRecord[] = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : [];
  const have = new Set(done.map((r) => r.key));
  const specs = robustnessFiles('sim/scenarios', o.all || !!o.only)
    .filter((f) => !o.only || o.only.some((x) => f.includes(`robustness-${x}.`)))
    .flatMap((f) => expandScenario(loadScenario(f)))
    .filter((sp) => !have.has(`${sp.scenario.name} | ${sp.key}`));
  const total = specs.length, t0 = Date.now();
  let next = 0, finished = 0;
  const save = () => writeFileSync(file, JSON.stringify(done, null, 1) + '\n');
  const worker = async () => {
    while (next < specs.length && !o.signal?.aborted) {
      const spec = specs[next++];
      const out = await runScenario(spec, { workers: 1 }, { signal: o.signal });
      if (o.signal?.aborted) break;
      const rec = recordOf(spec, out);
      done.push(rec);
      save();
      finished++;
      const el = (Date.now() - t0) / 1000;
      process.stderr.write(`[${finished}/${total}] ETA ${formatEta((el / finished) * (total - finished))} ${rec.key}: ${(rec.accuracy * 100).toFixed(2)} %\n`);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, o.jobs ?? 2) }, worker));
  save();
  return done;
}

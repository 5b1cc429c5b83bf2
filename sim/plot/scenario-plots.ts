// The plots of one scenario's results: a sweep plots the final accuracy (mean of the last 3
// rounds) against the first sweep key, one line per variant; otherwise accuracy and loss
// against the round.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Scenario } from '../scenario/schema.js';
import type { RunOutput } from '../runner.js';
import { summarize } from '../metrics/record.js';
import { lineChart, type Series } from './svg.js';

const byVariant = (runs: RunOutput[]) => {
  const m = new Map<string, RunOutput[]>();
  for (const r of runs) { const a = m.get(r.spec.label) ?? []; a.push(r); m.set(r.spec.label, a); }
  return m;
};

/** Writes the scenario's SVG files into `dir`; returns their file names. */
export function writePlots(dir: string, s: Scenario, runs: RunOutput[]): string[] {
  const files: string[] = [];
  const x = s.report?.x ?? Object.keys(s.sweep)[0];
  const title = s.report?.title ?? s.name;
  if (x === 'cum_units') {
    let cum = 0;
    const series: Series[] = runs.map((r) => { cum = 0; return { name: r.spec.key, points: r.rounds.map((q) => [(cum += q.units), q.accuracy] as [number, number]) }; });
    const file = `${s.name}.svg`;
    writeFileSync(join(dir, file), lineChart(series, { title, xLabel: 'cumulative transmission units', yLabel: 'test accuracy', logX: s.report?.logX }));
    files.push(file);
  } else if (x && x !== 'round') {
    for (const m of ['accuracy', 'loss'] as const) {
      const series: Series[] = [...byVariant(runs)].map(([name, rs]) => ({
        name, points: rs.map((r) => [Number(r.spec.point[x] ?? 0), m === 'loss' ? summarize(r).final_loss : summarize(r).tail3_accuracy] as [number, number]),
      }));
      const file = m === 'accuracy' ? `${s.name}.svg` : `${s.name}-loss.svg`;
      writeFileSync(join(dir, file), lineChart(series, { title: m === 'accuracy' ? title : `${title} (loss)`, xLabel: x, yLabel: m === 'loss' ? 'final test loss' : 'final test accuracy (mean of last 3 rounds)', logX: s.report?.logX }));
      files.push(file);
    }
  } else {
    for (const m of ['accuracy', 'loss'] as const) {
      const series: Series[] = runs.map((r) => ({ name: r.spec.key, points: r.rounds.map((q) => [q.round, q[m]] as [number, number]) }));
      const file = `${s.name}-${m}.svg`;
      writeFileSync(join(dir, file), lineChart(series, { title: `${title}: test ${m}`, xLabel: 'round', yLabel: `test ${m}` }));
      files.push(file);
    }
  }
  return files;
}

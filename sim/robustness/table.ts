// The robustness benchmark's tables (docs/robustness.md) from its run records: per α, one row
// per defence × attack, one column per attacker fraction, each cell mean ± sd over seeds of
// the mean test accuracy of the last 3 rounds, beside the defence's clean accuracy.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RobustnessRecord } from './run.js';
import { captureTables } from './capture.js';

/** Mean and sample standard deviation (0 for one value). */
export function meanSd(xs: readonly number[]): { mean: number; sd: number; n: number } {
  const n = xs.length;
  if (n === 0) return { mean: NaN, sd: NaN, n };
  const mean = xs.reduce((a, x) => a + x, 0) / n;
  const sd = n > 1 ? Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, sd, n };
}

const pct = (m: { mean: number; sd: number; n: number }) => (m.n ? `${(m.mean * 100).toFixed(1)} ± ${(m.sd * 100).toFixed(1)}` : '');

/** Markdown tables, one per α. */
export function robustnessTables(recs: readonly RobustnessRecord[]): string {
  const alphas = [...new Set(recs.map((r) => r.alpha))].sort((a, b) => a - b);
  const fractions = [...new Set(recs.filter((r) => r.attack !== 'clean').map((r) => r.fraction))].sort((a, b) => a - b);
  const defences = [...new Set(recs.map((r) => r.defence))];
  const attacks = [...new Set(recs.filter((r) => r.attack !== 'clean').map((r) => r.attack))];
  const out: string[] = [];
  for (const alpha of alphas) {
    out.push(`### α = ${alpha}`, '', `| defence | attack | clean | ${fractions.map((f) => `${Math.round(f * 100)} %`).join(' | ')} | drop at ${Math.round(Math.max(...fractions) * 100)} % |`,
      `| --- | --- | --- | ${fractions.map(() => '---').join(' | ')} | --- |`);
    for (const d of defences) {
      const clean = meanSd(recs.filter((r) => r.defence === d && r.alpha === alpha && r.attack === 'clean').map((r) => r.accuracy));
      for (const a of attacks) {
        const cells = fractions.map((f) => meanSd(recs.filter((r) => r.defence === d && r.alpha === alpha && r.attack === a && r.fraction === f).map((r) => r.accuracy)));
        if (cells.every((c) => c.n === 0)) continue;
        const top = cells[cells.length - 1];
        const drop = top.n && clean.n ? `${((clean.mean - top.mean) * 100).toFixed(1)}` : '';
        out.push(`| ${d} | ${a} | ${pct(clean)} | ${cells.map(pct).join(' | ')} | ${drop} |`);
      }
    }
    out.push('');
  }
  return out.join('\n');
}

/** Writes table.md beside runs.json and returns its text. */
export function writeTables(recs: readonly RobustnessRecord[], dir = join('sim', 'results', 'robustness')): string {
  const text = `${robustnessTables(recs)}
### Committee capture

${captureTables(recs)}
`;
  writeFileSync(join(dir, 'table.md'), text + '\n');
  return text;
}

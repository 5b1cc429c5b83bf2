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

/** The order the tables list defences in; others follow by name. */
const DEFENCE_ORDER = ['oracle', 'fedavg', 'committee', 'cclip', 'guarded', 'trust', 'trustclip', 'trustmed', 'trustmed5', 'roottrust'];

/** The distinct defences of `names` in DEFENCE_ORDER. */
function byDefenceOrder(names: readonly string[]): string[] {
  const rank = (d: string) => (DEFENCE_ORDER.includes(d) ? DEFENCE_ORDER.indexOf(d) : DEFENCE_ORDER.length);
  return [...new Set(names)].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : 1));
}

/** Markdown tables, one per α. */
export function robustnessTables(recs: readonly RobustnessRecord[]): string {
  const alphas = [...new Set(recs.map((r) => r.alpha))].sort((a, b) => a - b);
  const fractions = [...new Set(recs.filter((r) => r.attack !== 'clean').map((r) => r.fraction))].sort((a, b) => a - b);
  const defences = byDefenceOrder(recs.map((r) => r.defence));
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

/** Per α, where each defence breaks: for every attack the smallest measured attacker fraction
 *  whose mean accuracy is more than `points` below that defence's clean mean ("—" if none is;
 *  "≤ q" when q is the smallest fraction measured for that defence). */
export function breakpoints(recs: readonly RobustnessRecord[], points = 2): string {
  const alphas = [...new Set(recs.map((r) => r.alpha))].sort((a, b) => a - b);
  const attacks = [...new Set(recs.filter((r) => r.attack !== 'clean' && r.defence !== 'oracle').map((r) => r.attack))];
  const defences = byDefenceOrder(recs.filter((r) => r.defence !== 'oracle').map((r) => r.defence));
  const out: string[] = [];
  for (const alpha of alphas) {
    out.push(`| α = ${alpha}: breaks at | ${attacks.join(' | ')} |`, `| --- | ${attacks.map(() => '---').join(' | ')} |`);
    for (const d of defences) {
      const clean = meanSd(recs.filter((r) => r.defence === d && r.alpha === alpha && r.attack === 'clean').map((r) => r.accuracy));
      const cells = attacks.map((a) => {
        const mine = recs.filter((r) => r.defence === d && r.alpha === alpha && r.attack === a);
        const fs = [...new Set(mine.map((r) => r.fraction))].sort((x, y) => x - y);
        if (!fs.length || !clean.n) return '';
        const f = fs.find((q) => clean.mean - meanSd(mine.filter((r) => r.fraction === q).map((r) => r.accuracy)).mean > points / 100);
        return f === undefined ? '—' : `${f === fs[0] && fs[0] > 0.1 ? '≤ ' : ''}${Math.round(f * 100)} %`;
      });
      out.push(`| ${d} | ${cells.join(' | ')} |`);
    }
    out.push('');
  }
  return out.join('\n');
}

/** Writes table.md beside runs.json and returns its text. */
export function writeTables(recs: readonly RobustnessRecord[], dir = join('sim', 'results', 'robustness')): string {
  const text = `${robustnessTables(recs)}
### Where each defence breaks (first attacker fraction more than 2 points below its clean accuracy)

${breakpoints(recs)}
### Committee capture

${captureTables(recs)}
`;
  writeFileSync(join(dir, 'table.md'), text + '\n');
  return text;
}

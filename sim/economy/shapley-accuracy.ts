// Experiment: Shapley accuracy against the number of coalition evaluations (seed 003 Eq. 2 and
// the approximations of gateway/economy/). For rounds of 6, 8, 10 and 12 boards and ≥ 5 seeds,
// exact Shapley values over the firmware loss game are the reference; TMC, GTG-Shapley and the
// stratified estimator run at budgets of 5-50 % of exact's 2^n evaluations; the relative L2
// error is averaged over seeds. Writes economy-shapley/{results.csv,summary.json,*.svg}.
//   node build/sim/economy/shapley-accuracy.js [--sizes 6,8,10,12] [--seeds 5] [--out DIR]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { syntheticRound } from './round-game.js';
import { CountingGame, exactShapley, tmcShapley, gtgShapley, relativeL2, type ShapleyResult } from '../../gateway/economy/shapley.js';
import { stratifiedShapley } from '../../gateway/economy/stratified.js';
import { lineChart } from '../plot/svg.js';

export const FRACTIONS = [0.05, 0.1, 0.15, 0.25, 0.5];
export const METHODS = ['tmc', 'gtg', 'stratified'] as const;
type Method = typeof METHODS[number];

function approx(m: Method, g: CountingGame, budget: number, seed: number): ShapleyResult {
  const big = 1_000_000;
  if (m === 'tmc') return tmcShapley(g, { seed, budget, permutations: big });
  if (m === 'gtg') return gtgShapley(g, { seed, budget, permutations: big });
  return stratifiedShapley(g, { seed, budget });
}

export interface Row { n: number; seed: number; method: Method; fraction: number; budget: number; evaluations: number; error: number }

/** One size and seed: the exact values, then every method at every budget (on the memoized
 *  values of the exact pass, so each method's own CountingGame still counts its evaluations). */
export function measure(n: number, seed: number): Row[] {
  const r = syntheticRound({ n, seed });
  const values = new Map<number, number>();
  const ex = exactShapley(new CountingGame({ n, value: (m) => { const v = r.game.value(m); values.set(m, v); return v; } }));
  const rows: Row[] = [];
  for (const method of METHODS) {
    for (const fraction of FRACTIONS) {
      const budget = Math.round(fraction * 2 ** n);
      const res = approx(method, new CountingGame({ n, value: (m) => values.get(m)! }), budget, seed * 101 + 7);
      rows.push({ n, seed, method, fraction, budget, evaluations: res.evaluations, error: relativeL2(res.phi, ex.phi) });
    }
  }
  return rows;
}

function main(): void {
  const { values } = parseArgs({ options: { sizes: { type: 'string' }, seeds: { type: 'string' }, out: { type: 'string' } } });
  const sizes = (values.sizes ?? '6,8,10,12').split(',').map(Number);
  const seeds = Number(values.seeds ?? 5);
  const out = values.out ?? 'sim/results/economy-shapley';
  mkdirSync(out, { recursive: true });
  const rows: Row[] = [];
  for (const n of sizes) for (let s = 1; s <= seeds; s++) {
    const t0 = Date.now();
    rows.push(...measure(n, s));
    process.stderr.write(`n=${n} seed ${s}: ${Date.now() - t0} ms\n`);
  }
  writeFileSync(join(out, 'results.csv'), 'n,seed,method,fraction,budget,evaluations,error\n' + rows.map((r) => `${r.n},${r.seed},${r.method},${r.fraction},${r.budget},${r.evaluations},${r.error.toFixed(6)}`).join('\n') + '\n');
  const summary: { n: number; method: string; fraction: number; evaluations: number; evalFraction: number; error: number; maxError: number }[] = [];
  for (const n of sizes) for (const method of METHODS) for (const fraction of FRACTIONS) {
    const sel = rows.filter((r) => r.n === n && r.method === method && r.fraction === fraction);
    const mean = (f: (r: Row) => number) => sel.reduce((a, r) => a + f(r), 0) / sel.length;
    summary.push({ n, method, fraction, evaluations: mean((r) => r.evaluations), evalFraction: mean((r) => r.evaluations) / 2 ** n, error: mean((r) => r.error), maxError: Math.max(...sel.map((r) => r.error)) });
  }
  writeFileSync(join(out, 'summary.json'), JSON.stringify({ seeds, sizes, summary }, null, 2) + '\n');
  for (const n of sizes) {
    const series = METHODS.map((m) => ({ name: m, points: summary.filter((x) => x.n === n && x.method === m).map((x) => [100 * x.evalFraction, 100 * x.error] as [number, number]) }));
    writeFileSync(join(out, `error-n${n}.svg`), lineChart(series, { title: `Shapley relative L2 error, ${n} boards (mean of ${seeds} seeds)`, xLabel: '% of exact\'s 2^n coalition evaluations', yLabel: 'relative L2 error (%)', yMin: 0 }));
  }
  for (const x of summary) process.stdout.write(`n=${x.n} ${x.method.padEnd(10)} budget ${String(x.fraction * 100).padStart(3)} %  evaluations ${(100 * x.evalFraction).toFixed(1).padStart(5)} %  error ${(100 * x.error).toFixed(2).padStart(6)} % (max ${(100 * x.maxError).toFixed(2)} %)\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) main();

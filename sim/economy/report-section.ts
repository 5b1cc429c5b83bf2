// The "Economy" section of sim/results/REPORT.md, built from the economy experiments' results on
// disk (economy-shapley/summary.json from shapley-accuracy.ts, economy-who-earns/summary.json from
// who-earns.ts). Empty when neither has been run.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface ShapleySummary { seeds: number; sizes: number[]; summary: { n: number; method: string; fraction: number; evalFraction: number; error: number; maxError: number }[] }
interface WhoSummary {
  seeds: number; rounds: number;
  table: Record<string, { share: Record<string, number>; rho: number; barred: Record<string, number[]>; slashed: Record<string, number>; accuracy: number }>;
  selection: { bidding: { ratio: number; price: number; capability: number }; random: { ratio: number; price: number; capability: number } };
}

const pct = (x: number, d = 1) => `${(100 * x).toFixed(d)} %`;

/** Markdown of the section. */
export function economySection(root: string): string {
  const sFile = join(root, 'economy-shapley', 'summary.json'), wFile = join(root, 'economy-who-earns', 'summary.json');
  if (!existsSync(sFile) && !existsSync(wFile)) return '';
  const out: string[] = ['## Economy — Shapley accuracy, who earns what, selection by bidding (seeds 003, 004)\n',
    'Rules: docs/economy.md. Rerun: `node build/sim/economy/shapley-accuracy.js` and `node build/sim/economy/who-earns.js` (then `npm run sim -- report --only ""`).\n'];
  if (existsSync(sFile)) {
    const s = JSON.parse(readFileSync(sFile, 'utf8')) as ShapleySummary;
    out.push(`### Shapley relative L2 error vs coalition evaluations (mean of ${s.seeds} seeds)\n`,
      'One synthetic round per size and seed: boards with 20–400 MNIST digits each train one local epoch in the firmware from a shared model; v(S) = validation-loss decrease (200 held-out digits) of the FedAvg aggregate of S, evaluated in the kernel. Reference: exact Shapley (2^n evaluations). Budget = distinct coalitions evaluated, as a share of 2^n; cells: mean error (max over seeds).\n');
    const fr = [...new Set(s.summary.map((x) => x.fraction))];
    out.push(`| n | method | ${fr.map((f) => `${f * 100} %`).join(' | ')} |`, `| --- | --- | ${fr.map(() => '---').join(' | ')} |`);
    for (const n of s.sizes) for (const m of [...new Set(s.summary.map((x) => x.method))]) {
      out.push(`| ${n} | ${m} | ${fr.map((f) => { const x = s.summary.find((y) => y.n === n && y.method === m && y.fraction === f)!; return `${pct(x.error)} (${pct(x.maxError, 0)})`; }).join(' | ')} |`);
    }
    const at10 = s.summary.filter((x) => x.n === 10 && x.evalFraction <= 0.25).sort((a, b) => a.error - b.error)[0];
    out.push('', at10 ? `**At 10 boards**, the best method within 25 % of exact's evaluations is \`${at10.method}\` at ${pct(at10.error, 2)} mean error using ${pct(at10.evalFraction)} of the evaluations (target: ≤ 5 % error with ≤ 25 %). TMC and GTG-Shapley need several full orders per participant before their mean settles; at these budgets each participant is seen only a few times in each position, and the first positions carry most of the value, so the position-stratified estimator with exact edge strata wins. With ≤ 8 boards no sampler beats exact at a 25 % budget: 2^n is small and the edge strata alone take most of it.\n` : '',
      ...s.sizes.map((n) => `![error n=${n}](economy-shapley/error-n${n}.svg)`), '');
  }
  if (existsSync(wFile)) {
    const w = JSON.parse(readFileSync(wFile, 'utf8')) as WhoSummary;
    out.push(`### Who earns what (${w.seeds} seeds, ${w.rounds} rounds, 10 boards)\n`,
      'Six honest boards (40, 80, 140, 220, 320, 450 digits), one sign-flip (−4 × its delta), one Gaussian (σ = 40,000 master units), one lazy copier (republishes board 0), one free rider (returns the global model). *With detection*: the round machine\'s detectors (free rider `no_progress`, lazy `copied_update`) and a committee stand-in (002: accept when the accuracy on 300 committee digits is ≥ 60 % of the candidates\' median). *Without*: FedAvg accepts everything. Each round pays 10,000 tokens from a 60,000 pool on the real ledger rules: 003 = `contribution` (Eq. 3: 70 % by Shapley value, stratified, 256 evaluations; 15 % by reputation Z; 10 % aggregator; 5 % computing center), 004 = `payout` (90 % by data size × score, 10 % miner). Deposits settled at the end (docs/economy.md). Share = share of everything the boards earned; ρ = Spearman rank correlation of the honest boards\' payouts with their data size.\n',
      '| pays | detection | honest | sign-flip | Gaussian | lazy | free rider | ρ(size, payout) | slashed | barred by reputation (after rounds) | final accuracy |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const [k, t] of Object.entries(w.table)) {
      const [pays, det] = k.split(' ');
      const barred = Object.entries(t.barred).map(([r, v]) => `${r} ${v.length}/${w.seeds} (${[...new Set(v)].join(', ')})`).join('; ') || 'none';
      const slashed = Object.entries(t.slashed).filter(([, v]) => v > 0).map(([r, v]) => `${r} ${v.toFixed(1)}`).join(', ') || 'none';
      out.push(`| ${pays} | ${det} | ${pct(t.share.honest!)} | ${pct(t.share['sign-flip']!)} | ${pct(t.share.gaussian!)} | ${pct(t.share.lazy!)} | ${pct(t.share['free-rider']!)} | ${t.rho.toFixed(2)} | ${slashed} | ${barred} | ${pct(t.accuracy)} |`);
    }
    const b = w.selection.bidding, r = w.selection.random;
    out.push('', 'With detection, lazy copies and free riders never enter a round and earn 0 under both rules, and lose their deposit. Attackers the committee rejects earn 0 in those rounds and lose their deposit when rejected in at least half of their rounds; a sign-flip update that slips past the committee stand-in in a late round (when the model has converged and the flipped delta is small) is paid under 004 by data size × score, while under 003 its Shapley value is negative and it is barred by reputation after three rejections. Without detection the attackers ruin the model and every rule pays the lazy copier and the free rider: 004 for their declared data size, 003 through the reputation part of Eq. 3 and through their Shapley value — the lazy copy shares the credit of the board it copies, and with attackers in the coalition the free rider\'s unchanged model dilutes their damage, which a loss-based value function rewards. Detection, not the payout formula, is what keeps them at 0.\n',
      `**Selection by bidding** (${w.seeds} seeds, 40 bidders, 10 slots; cost 10–100, capability 50–200 per bid): winners chosen by capability/cost average a capability/cost of ${b.ratio.toFixed(2)} (cost ${b.price.toFixed(1)}, capability ${b.capability.toFixed(1)}) against ${r.ratio.toFixed(2)} (cost ${r.price.toFixed(1)}, capability ${r.capability.toFixed(1)}) for 10 bidders drawn at random.\n`);
  }
  return out.join('\n');
}

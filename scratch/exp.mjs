// ad-hoc robustness experiment: node scratch/exp.mjs <label> '<consensus json>' '<aggregation json>' attacks alphas fractions seeds
import { expandScenario } from '../build/sim/scenario/expand.js';
import { parseScenario } from '../build/sim/scenario/load.js';
import { runScenario } from '../build/sim/runner.js';
import { recordOf } from '../build/sim/robustness/run.js';
import { appendFileSync } from 'node:fs';
const [label, cons, agg, attacks, alphas, fracs, seeds, rounds] = process.argv.slice(2);
const atk = attacks.split(',');
const doc = {
  name: 'robustness-' + label, seed: 1, rounds: Number(rounds ?? 10),
  dataset: { partition: { kind: 'dirichlet', alpha: 0.1 } }, devices: { count: 20 },
  consensus: JSON.parse(cons), aggregation: JSON.parse(agg),
  attackers: [{ type: 'gaussian', fraction: 0.45 }], ledger: false,
  variants: atk.map((a) => ({ label: a, set: { 'attackers.0.type': a === 'clean' ? 'gaussian' : a } })),
  sweep: { 'dataset.partition.alpha': alphas.split(',').map(Number), 'attackers.0.fraction': fracs.split(',').map(Number), seed: seeds.split(',').map(Number) },
};
const specs = expandScenario(parseScenario(JSON.stringify(doc), 'json')).filter((sp, i, all) => !(sp.label === 'clean' && all.findIndex((x) => x.label === 'clean' && x.scenario.seed === sp.scenario.seed && x.scenario.dataset.partition.alpha === sp.scenario.dataset.partition.alpha) !== i));
let next = 0;
const res = [];
async function w() { while (next < specs.length) { const sp = specs[next++]; const out = await runScenario(sp, { workers: 1 }); const r = recordOf(sp, out); if (r.fraction === 0) r.attack = 'clean';
  res.push(r); appendFileSync('scratch/exp.jsonl', JSON.stringify({ label, ...r }) + '\n'); console.error(label, r.attack, r.alpha, r.fraction, r.seed, (r.accuracy * 100).toFixed(1), r.seconds?.toFixed?.(1)); } }
await Promise.all([w(), w()]);

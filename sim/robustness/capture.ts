// Committee capture, measured against seed 002's analysis (§III "Security analysis", Fig. 3;
// gateway/consensus/attack.ts): the chance that a committee of M seats drawn without
// replacement from N boards, ⌊q·N⌋ of them colluding, has a colluding majority (> M/2) is a
// hypergeometric tail. `firstCommitteeCapture` draws the simulator's own first committees and
// attacker sets (sim/task.ts scenarioPlan, sim/fleet/roles.ts) for many seeds and counts the
// captured ones, so the simulator's selection is checked against the formula; the benchmark's
// colluding runs (run.ts records) give the capture over the rounds that follow the first, where
// election, not a uniform draw, decides.
import { attackProbability } from '../../gateway/consensus/attack.js';
import { validateScenario } from '../scenario/schema.js';
import { scenarioPlan, committeeConfig } from '../task.js';
import { assignRoles } from '../fleet/roles.js';
import { deviceIndex } from '../../protocol/ids.js';
import type { RobustnessRecord } from './run.js';

export interface CaptureRow {
  fraction: number; malicious: number; seats: number; hypergeometric: number; measured: number; trials: number;
  /** P(at least half the seats), exact, and measured: what steers a summed direction root (docs/robustness.md). */
  halfHypergeometric: number; halfMeasured: number;
}

const choose = (n: number, k: number): number => { let c = 1; for (let i = 1; i <= k; i++) c = (c * (n - k + i)) / i; return c; };

/** P(X ≥ ⌈seats/2⌉) for X ~ Hypergeometric(population, malicious, seats), by direct summation. */
export function halfProbability(population: number, malicious: number, seats: number): number {
  let p = 0;
  for (let x = Math.ceil(seats / 2); x <= Math.min(seats, malicious); x++) p += (choose(malicious, x) * choose(population - malicious, seats - x)) / choose(population, seats);
  return p;
}

/** First-committee capture over `trials` seeds for N boards, committee fraction c of the trainers. */
export function firstCommitteeCapture(boards: number, committeeFraction: number, fractions: readonly number[], trials: number): CaptureRow[] {
  return fractions.map((fraction) => {
    let hits = 0, half = 0, seats = 0;
    for (let seed = 1; seed <= trials; seed++) {
      const s = validateScenario({ name: 'capture', seed, devices: { count: boards }, consensus: { engine: 'committee', committeeFraction }, attackers: [{ type: 'colluding-committee', fraction }] });
      seats = committeeConfig(s).size;
      const roles = assignRoles(boards, s.attackers, seed);
      const first = scenarioPlan(s)(1, []).committee.map(deviceIndex);
      const bad = first.filter((i) => roles[i] >= 0).length;
      if (bad * 2 > first.length) hits++;
      if (bad * 2 >= first.length) half++;
    }
    const malicious = Math.floor(fraction * boards + 1e-9);
    return { fraction, malicious, seats, hypergeometric: attackProbability(boards, malicious, seats), measured: hits / trials, trials,
      halfHypergeometric: halfProbability(boards, malicious, seats), halfMeasured: half / trials };
  });
}

/** Markdown: the first-committee table and, per defence, the colluding runs' capture. */
export function captureTables(recs: readonly RobustnessRecord[], boards = 20, committeeFraction = 0.2, trials = 20_000): string {
  const rows = firstCommitteeCapture(boards, committeeFraction, [0.1, 0.2, 0.3, 0.45], trials);
  const out = [`| attackers | colluders of ${boards} | P(first committee captured: > M/2), hypergeometric | measured over ${trials} seeded draws | P(≥ M/2 seats), hypergeometric | measured |`, '| --- | --- | --- | --- | --- | --- |'];
  for (const r of rows) out.push(`| ${Math.round(r.fraction * 100)} % | ${r.malicious} | ${r.hypergeometric.toFixed(4)} | ${r.measured.toFixed(4)} | ${r.halfHypergeometric.toFixed(4)} | ${r.halfMeasured.toFixed(4)} |`);
  const coll = recs.filter((r) => r.collude && r.committeeRounds > 0);
  if (coll.length) {
    out.push('', '| defence | α | attackers | runs whose first committee was captured | rounds captured (all runs) |', '| --- | --- | --- | --- | --- |');
    const key = (r: RobustnessRecord) => `${r.defence}|${r.alpha}|${r.fraction}`;
    for (const k of [...new Set(coll.map(key))]) {
      const rs = coll.filter((r) => key(r) === k);
      const first = rs.filter((r) => r.firstCaptured).length;
      const cap = rs.reduce((a, r) => a + r.captured, 0), tot = rs.reduce((a, r) => a + r.committeeRounds, 0);
      out.push(`| ${rs[0].defence} | ${rs[0].alpha} | ${Math.round(rs[0].fraction * 100)} % | ${first} of ${rs.length} | ${cap} of ${tot} |`);
    }
  }
  return out.join('\n');
}

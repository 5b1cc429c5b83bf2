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

export interface CaptureRow { fraction: number; malicious: number; seats: number; hypergeometric: number; measured: number; trials: number }

/** First-committee capture over `trials` seeds for N boards, committee fraction c of the trainers. */
export function firstCommitteeCapture(boards: number, committeeFraction: number, fractions: readonly number[], trials: number): CaptureRow[] {
  return fractions.map((fraction) => {
    let hits = 0, seats = 0;
    for (let seed = 1; seed <= trials; seed++) {
      const s = validateScenario({ name: 'capture', seed, devices: { count: boards }, consensus: { engine: 'committee', committeeFraction }, attackers: [{ type: 'colluding-committee', fraction }] });
      seats = committeeConfig(s).size;
      const roles = assignRoles(boards, s.attackers, seed);
      const first = scenarioPlan(s)(1, []).committee.map(deviceIndex);
      if (first.filter((i) => roles[i] >= 0).length * 2 > first.length) hits++;
    }
    const malicious = Math.floor(fraction * boards + 1e-9);
    return { fraction, malicious, seats, hypergeometric: attackProbability(boards, malicious, seats), measured: hits / trials, trials };
  });
}

/** Markdown: the first-committee table and, per defence, the colluding runs' capture. */
export function captureTables(recs: readonly RobustnessRecord[], boards = 20, committeeFraction = 0.2, trials = 20_000): string {
  const rows = firstCommitteeCapture(boards, committeeFraction, [0.1, 0.2, 0.3, 0.45], trials);
  const out = [`| attackers | colluders of ${boards} | P(first committee captured), hypergeometric | measured over ${trials} seeded draws |`, '| --- | --- | --- | --- |'];
  for (const r of rows) out.push(`| ${Math.round(r.fraction * 100)} % | ${r.malicious} | ${r.hypergeometric.toFixed(4)} | ${r.measured.toFixed(4)} |`);
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

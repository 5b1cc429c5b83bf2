// The robustness benchmark's analysis (sim/robustness/): mean ± sd of the cells, and the
// simulator's first-committee capture against the hypergeometric tail of seed 002 §III.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { meanSd, robustnessTables } from '../sim/robustness/table.js';
import { firstCommitteeCapture, halfProbability } from '../sim/robustness/capture.js';
import { attackProbability } from '../gateway/consensus/attack.js';
import type { RobustnessRecord } from '../sim/robustness/run.js';

test('mean ± sample standard deviation', () => {
  // 0.80, 0.82, 0.84: mean 0.82, sd √((0.0004 + 0 + 0.0004)/2) = 0.02
  const m = meanSd([0.8, 0.82, 0.84]);
  assert.ok(Math.abs(m.mean - 0.82) < 1e-12 && Math.abs(m.sd - 0.02) < 1e-12 && m.n === 3);
  assert.deepEqual(meanSd([0.5]), { mean: 0.5, sd: 0, n: 1 });
  assert.ok(Number.isNaN(meanSd([]).mean));
});

test('the table puts each defence × attack on a row with its clean accuracy and the drop at the top fraction', () => {
  const rec = (defence: string, attack: string, fraction: number, accuracy: number, seed: number): RobustnessRecord => ({
    key: `${defence}${attack}${fraction}${seed}`, defence, attack, collude: false, alpha: 0.5, fraction, seed, accuracy, final: accuracy,
    rounds: 10, boards: 20, seconds: 1, captured: 0, committeeRounds: 0, firstCaptured: null,
  });
  const t = robustnessTables([rec('x', 'clean', 0, 0.9, 1), rec('x', 'clean', 0, 0.8, 2), rec('x', 'ipm', 0.45, 0.7, 1), rec('x', 'ipm', 0.45, 0.7, 2)]);
  // clean 85.0 ± 7.1 (sd of 0.9, 0.8 = 0.0707), 45 %: 70.0 ± 0.0, drop 15.0
  assert.match(t, /\| x \| ipm \| 85\.0 ± 7\.1 \| 70\.0 ± 0\.0 \| 15\.0 \|/);
});

test('the simulator\'s first committees are captured as often as the hypergeometric tail says', () => {
  const trials = 3000;
  for (const r of firstCommitteeCapture(20, 0.2, [0.1, 0.3, 0.45], trials)) {
    assert.equal(r.seats, 4);
    const sd = Math.sqrt(r.hypergeometric * (1 - r.hypergeometric) / trials);
    assert.ok(Math.abs(r.measured - r.hypergeometric) <= 4 * sd + 1e-9, `q=${r.fraction}: measured ${r.measured}, hypergeometric ${r.hypergeometric}`);
  }
});

test('at least half the seats: the hypergeometric sum, by hand for a small case', () => {
  // 4 seats of 20 boards, 6 colluders: P(X ≥ 2) = 1 − C(14,4)/C(20,4) − 6·C(14,3)/C(20,4) = 1 − 1001/4845 − 2184/4845 = 1660/4845
  assert.ok(Math.abs(halfProbability(20, 6, 4) - 1660 / 4845) < 1e-12);
  // for an odd committee "at least half" and "more than half" coincide
  assert.ok(Math.abs(halfProbability(20, 6, 5) - attackProbability(20, 6, 5)) < 1e-12);
  for (const r of firstCommitteeCapture(20, 0.2, [0.3], 3000)) {
    const sd = Math.sqrt(r.halfHypergeometric * (1 - r.halfHypergeometric) / 3000);
    assert.ok(Math.abs(r.halfMeasured - r.halfHypergeometric) <= 4 * sd, `${r.halfMeasured} vs ${r.halfHypergeometric}`);
  }
});


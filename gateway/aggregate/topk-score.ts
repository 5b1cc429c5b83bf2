// Score-weighted top-k: keep the k updates with the highest scores (ties: earlier update),
// then average them weighted by score (integer, round-half-to-even). With all kept scores
// zero it falls back to the sample-weighted mean. Used with committee scores (BFLC 002).
import { checkUpdates, type Contribution, type RuleOptions } from './rule.js';
import { weightedMean } from './weighted-mean.js';

/** Top-k by score, score-weighted. `opts.k` defaults to all updates. Scores must be
 *  non-negative integers. */
export function topkScore(updates: Contribution[], opts: RuleOptions = {}): Int32Array {
  checkUpdates(updates, 'topkScore');
  const k = opts.k ?? updates.length;
  if (!Number.isInteger(k) || k < 1) throw new RangeError('topkScore: k must be a positive integer');
  const scores = updates.map((u) => {
    const s = u.score ?? 0;
    if (!Number.isSafeInteger(s) || s < 0) throw new RangeError('topkScore: scores must be non-negative integers');
    return s;
  });
  const order = updates.map((_, i) => i).sort((a, b) => scores[b] - scores[a] || a - b).slice(0, k);
  const kept = order.map((i) => updates[i]);
  const ws = order.map((i) => scores[i]);
  if (ws.every((w) => w === 0)) return weightedMean(kept.map((u) => u.params), kept.map((u) => u.n));
  return weightedMean(kept.map((u) => u.params), ws);
}

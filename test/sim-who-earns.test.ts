// Who earns what (issue "Done when" 3) on the real ledger rules and the firmware loss game, one
// seed and three rounds: detected lazy copies and free riders earn 0 and lose their deposit,
// attackers the committee stand-in rejects lose theirs, honest payouts follow data size.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runOnce, spearman, selectionStudy } from '../sim/economy/who-earns.js';

test('spearman: +1 for the same order, −1 reversed, ties averaged', () => {
  assert.equal(spearman([1, 2, 3, 4], [10, 20, 30, 40]), 1);
  assert.equal(spearman([1, 2, 3, 4], [4, 3, 2, 1]), -1);
  assert.ok(Math.abs(spearman([1, 1, 2], [1, 1, 2]) - 1) < 1e-12);
});

test('003 with detection: lazy and free rider earn 0, poisoners are slashed, honest pay rank-correlates with size', async () => {
  const r = await runOnce(1, 3, true, '003');
  const by = (role: string) => Object.keys(r.paid).filter((id) => r.role[id] === role);
  for (const id of [...by('lazy'), ...by('free-rider')]) { assert.equal(r.paid[id], 0, id); assert.ok(r.slashed.includes(id), `${id} keeps its deposit`); }
  for (const id of [...by('sign-flip'), ...by('gaussian')]) { assert.equal(r.paid[id], 0, id); assert.ok(r.slashed.includes(id), `${id} keeps its deposit`); }
  const honest = by('honest');
  for (const id of honest) assert.ok(!r.slashed.includes(id), `honest ${id} slashed`);
  assert.ok(spearman(honest.map((id) => r.size[id]!), honest.map((id) => r.paid[id]!)) > 0.5);
});

test('selection by capability/cost picks cheaper, more capable winners than random', () => {
  const s = selectionStudy(3);
  assert.ok(s.bidding.ratio > s.random.ratio);
  assert.ok(s.bidding.price < s.random.price);
});

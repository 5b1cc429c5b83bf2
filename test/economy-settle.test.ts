// Settling deposits (seed 004 step 7, gateway/economy/settle.ts): detector hits forfeit at
// once, engine rejections only when they are at least half of the rounds a winner was heard in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { settle, settlementTxs } from '../gateway/economy/settle.js';
import { signer } from './ledger-helpers.js';

const rej = (device: string, reason: string) => ({ device, reason, detail: '' });
const rounds = [
  { round: 1, accepted: ['a', 'c'], rejected: [rej('b', 'committee_score'), rej('d', 'no_progress'), rej('e', 'late')] },
  { round: 2, accepted: ['a', 'b', 'c'], rejected: [rej('f', 'committee_score')] },
  { round: 3, accepted: ['a', 'b'], rejected: [rej('c', 'copied_update'), rej('f', 'committee_score')] },
];

test('settle: free riders and lazy copies are slashed at once; one committee rejection in three is forgiven', () => {
  const s = Object.fromEntries(settle(['f', 'e', 'd', 'c', 'b', 'a'], rounds).map((x) => [x.id, x]));
  assert.equal(s.a!.outcome, 'refund'); assert.equal(s.a!.accepted, 3);
  assert.equal(s.b!.outcome, 'refund', 'rejected once, accepted twice');
  assert.equal(s.c!.outcome, 'slash'); assert.match(s.c!.reason, /copied_update/);
  assert.equal(s.d!.outcome, 'slash'); assert.match(s.d!.reason, /no_progress/);
  assert.equal(s.e!.outcome, 'refund', 'a late update proves nothing');
  assert.equal(s.f!.outcome, 'slash', 'rejected in every round it was heard in');
  assert.deepEqual(settle(['a'], []).map((x) => x.outcome), ['refund']);
});

test('settlementTxs: refund / slash the whole stake / revoke, then close; settled stakes skipped', () => {
  const gw = signer('gw', 1);
  const s = settle(['a', 'c', 'x'], rounds);
  const bid = (id: string) => (id === 'x' ? { price: 1, capability: 1, size: 1, stake: 7, status: 'returned' as const, height: 1 } : { price: 1, capability: 1, size: 1, stake: 7, status: 'won' as const, height: 1 });
  const txs = settlementTxs(gw, 'T', s, bid, { revoke: true, active: () => true });
  assert.deepEqual(txs.map((t) => t.type), ['refund', 'slash', 'blacklist', 'task-close']);
  assert.equal((txs[1]!.body as { amount: number }).amount, 7);
  assert.deepEqual(settlementTxs(gw, 'T', s, bid, { revoke: false, active: () => true }).map((t) => t.type), ['refund', 'slash', 'task-close']);
});

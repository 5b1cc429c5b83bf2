// Pure economy helpers: largest-remainder splits, exact bid ordering, and the supply invariant's
// own failure cases (the checks must be able to fail).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { largestRemainder, checkRatios, selectWinners, supplyReport, checkSupply } from '../gateway/ledger/index.js';
import { reason } from './ledger-helpers.js';
import { checkSupplyDelta } from '../gateway/ledger/supply.js';
import { StateDb } from '../gateway/ledger/state.js';

test('largest remainder: hand-worked cases', () => {
  assert.deepEqual(largestRemainder(10, [1, 1, 1]), [4, 3, 3]);          // ties to the lower index
  assert.deepEqual(largestRemainder(101, [900_000, 100_000]), [91, 10]); // 90.9 | 10.1
  assert.deepEqual(largestRemainder(7, [0, 5, 2]), [0, 5, 2]);
  assert.deepEqual(largestRemainder(2, [1, 2, 3]), [0, 1, 1]);           // 0.33 | 0.67 | 1.0
  assert.deepEqual(largestRemainder(0, [3, 4]), [0, 0]);
  // amount × weight above 2^53 stays exact (BigInt inside)
  assert.deepEqual(largestRemainder(2 ** 53 - 1, [1, 1]), [2 ** 52, 2 ** 52 - 1]);
});

test('largest remainder: parts sum to the amount and each is within one unit of its exact share', () => {
  let x = 12345;
  const rnd = (n: number) => { x = (x * 1103515245 + 12345) % 2 ** 31; return x % n; };
  for (let t = 0; t < 500; t++) {
    const amount = rnd(1_000_000);
    const w: number[] = Array.from({ length: 1 + rnd(12) }, () => rnd(1000));
    if (!w.some((v) => v > 0)) w[0] = 1;
    const parts = largestRemainder(amount, w);
    const W = w.reduce((a, b) => a + b, 0);
    assert.equal(parts.reduce((a, b) => a + b, 0), amount);
    parts.forEach((p, i) => assert.ok(Math.abs(p - (amount * w[i]!) / W) < 1, `part ${i} of ${amount} by ${w}`));
  }
});

test('largest remainder and ratios refuse invalid weights', () => {
  assert.throws(() => largestRemainder(5, []), reason('bad_split'));
  assert.throws(() => largestRemainder(5, [0, 0]), reason('bad_split'));
  assert.throws(() => largestRemainder(5, [1, -1]), reason('bad_split'));
  assert.throws(() => largestRemainder(-5, [1]), reason('negative_amount'));
  checkRatios({ a: 600_000, b: 400_000 });
  assert.throws(() => checkRatios({ a: 600_000, b: 400_001 }), reason('bad_split'));
  assert.throws(() => checkRatios({ a: 0.5e6 + 0.5, b: 0.5e6 - 0.5 }), reason('bad_split'));
});

test('selection orders by capability/price exactly, then price, capability, id', () => {
  const bids = [
    { id: 'c', price: 3, capability: 10 },   // 3.33
    { id: 'a', price: 6, capability: 20 },   // 3.33, dearer than c
    { id: 'b', price: 1, capability: 4 },    // 4
    { id: 'd', price: 0, capability: 1 },    // free: first
    { id: 'e', price: 3, capability: 10 },   // same as c: id decides
  ];
  assert.deepEqual(selectWinners(bids, 5), ['d', 'b', 'c', 'e', 'a']);
  assert.deepEqual(selectWinners(bids, 2), ['d', 'b']);
  // ratios that differ below float precision: (2^53-1)/(2^53-2) vs 1
  assert.deepEqual(selectWinners([{ id: 'x', price: 1, capability: 1 }, { id: 'y', price: 2 ** 53 - 2, capability: 2 ** 53 - 1 }], 1), ['y']);
});

test('the supply invariant detects tokens out of thin air', () => {
  const ok = supplyReport([['bal/a', 5], ['bid/T/a', { stake: 3, status: 'won' } as any], ['bid/T/b', { stake: 9, status: 'lost' } as any], ['supply', 10], ['task/T', { pool: 2 } as any]]);
  assert.deepEqual(ok, { supply: 10, balances: 5, escrow: 3, pools: 2, ok: true });
  assert.equal(supplyReport([['bal/a', 6], ['supply', 5]]).ok, false);
  assert.throws(() => checkSupply([['bal/a', 6], ['supply', 5]]), reason('bad_supply'));
  const pre = new StateDb();
  pre.apply(new Map<string, any>([['bal/a', 5], ['supply', 5]]));
  checkSupplyDelta(pre, new Map<string, any>([['bal/a', 2], ['bal/b', 3]]));      // a transfer
  assert.throws(() => checkSupplyDelta(pre, new Map<string, any>([['bal/a', 6]])), reason('bad_supply'));
  assert.throws(() => checkSupplyDelta(pre, new Map<string, any>([['bal/a', null]])), reason('bad_supply'));
  checkSupplyDelta(pre, new Map<string, any>([['bal/a', 4], ['supply', 4]]));    // a burn
});

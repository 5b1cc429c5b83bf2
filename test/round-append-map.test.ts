// AppendMap / AppendSet (gateway/round/append-map.ts): immutable versions sharing one log. Every
// version keeps exactly its own entries whatever is added to it, to a later version or to a fork.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppendMap, AppendSet } from '../gateway/round/append-map.js';

test('AppendMap: each version sees its own entries, in insertion order', () => {
  const v0 = AppendMap.empty<string, number>();
  const v1 = v0.with('a', 1), v2 = v1.with('b', 2), v3 = v2.with('c', 3);
  assert.deepEqual([...v0], []);
  assert.deepEqual([...v1], [['a', 1]]);
  assert.deepEqual([...v3.entries()], [['a', 1], ['b', 2], ['c', 3]]);
  assert.deepEqual([...v3.keys()], ['a', 'b', 'c']);
  assert.deepEqual([...v3.values()], [1, 2, 3]);
  assert.equal(v2.size, 2); assert.equal(v2.get('c'), undefined); assert.equal(v2.has('c'), false);
  assert.equal(v3.get('b'), 2); assert.ok(v3 instanceof Map);
  const seen: string[] = [];
  v2.forEach((v, k, m) => { seen.push(`${k}=${v}`); assert.equal(m, v2); });
  assert.deepEqual(seen, ['a=1', 'b=2']);
  assert.deepEqual(v3, AppendMap.of(new Map([['a', 1], ['b', 2], ['c', 3]])));
  assert.notDeepEqual(v3, AppendMap.of(new Map([['a', 1], ['b', 2], ['c', 4]])));
});

test('AppendMap: adding to an older version forks it without touching the newer ones', () => {
  const base = AppendMap.empty<string, number>().with('a', 1).with('b', 2);
  const x = base.with('c', 3);              // appends in place (base was the newest)
  const y = base.with('d', 4);              // fork: base's prefix is copied first
  const x2 = x.with('e', 5), y2 = y.with('c', 30);
  assert.deepEqual([...base], [['a', 1], ['b', 2]]);
  assert.deepEqual([...x], [['a', 1], ['b', 2], ['c', 3]]);
  assert.deepEqual([...x2], [['a', 1], ['b', 2], ['c', 3], ['e', 5]]);
  assert.deepEqual([...y], [['a', 1], ['b', 2], ['d', 4]]);
  assert.deepEqual([...y2], [['a', 1], ['b', 2], ['d', 4], ['c', 30]]);
  assert.equal(y.get('c'), undefined, 'the key x added is not in the fork');
  assert.equal(x.get('c'), 3, 'nor does the fork change x');
  // deep equality compares entries, so versions of different lineages compare by content
  assert.deepEqual(AppendMap.empty<string, number>().with('a', 1).with('b', 2), base);
  assert.notDeepEqual(x, y);
});

test('AppendMap: same key and value is a no-op, another value or a mutator throws', () => {
  const m = AppendMap.empty<string, number>().with('a', 1);
  assert.equal(m.with('a', 1), m);
  assert.throws(() => m.with('a', 2), RangeError);
  assert.throws(() => (m as Map<string, number>).set('b', 1), TypeError);
  assert.throws(() => (m as Map<string, number>).delete('a'), TypeError);
  assert.throws(() => (m as Map<string, number>).clear(), TypeError);
  assert.equal(m.size, 1);
});

test('AppendMap.of / AppendSet.of: plain collections are copied once, Append ones kept', () => {
  const plain = new Map([['x', 1]]);
  const a = AppendMap.of(plain);
  plain.set('y', 2);
  assert.deepEqual([...a], [['x', 1]], 'a copy, not a view of the plain map');
  assert.equal(AppendMap.of(a), a);
  const s = AppendSet.of(new Set(['p', 'q']));
  assert.deepEqual([...s], ['p', 'q']);
  assert.equal(AppendSet.of(s), s);
  assert.deepEqual([...new Map(a.with('z', 3))], [['x', 1], ['z', 3]], 'a plain Map built from one holds its entries');
});

test('AppendSet: versions, forks, no-op re-adds and immutability', () => {
  const s0 = AppendSet.empty<string>();
  const s1 = s0.with('a').with('b');
  assert.equal(s1.with('a'), s1, 'a member added again is the same version');
  const x = s1.with('c'), y = s1.with('d');
  assert.deepEqual([...s1], ['a', 'b']);
  assert.deepEqual([...x], ['a', 'b', 'c']);
  assert.deepEqual([...y], ['a', 'b', 'd']);
  assert.ok(!y.has('c') && x.has('c') && !x.has('d'));
  assert.equal(s0.size, 0); assert.equal(x.size, 3);
  assert.deepEqual([...x.entries()], [['a', 'a'], ['b', 'b'], ['c', 'c']]);
  assert.deepEqual([...x.keys()], [...x.values()]);
  assert.deepEqual(x, AppendSet.of(new Set(['a', 'b', 'c'])));
  assert.notDeepEqual(x, y);
  assert.ok(x instanceof Set);
  assert.throws(() => (x as Set<string>).add('e'), TypeError);
  assert.throws(() => (x as Set<string>).delete('a'), TypeError);
  assert.equal(x.size, 3);
});

test('many versions: a lineage of 10,000 appends and a fork at every 1,000th keep their prefixes', () => {
  let m = AppendMap.empty<number, number>();
  const versions: AppendMap<number, number>[] = [];
  for (let i = 0; i < 10_000; i++) { m = m.with(i, i * 2); if (i % 1000 === 0) versions.push(m); }
  const forks = versions.map((v) => v.with(-1, -1));
  versions.forEach((v, k) => {
    assert.equal(v.size, k * 1000 + 1);
    assert.equal(v.get(k * 1000), k * 2000);
    assert.equal(v.has(k * 1000 + 1), false);
    assert.equal(forks[k].size, v.size + 1);
    assert.equal(forks[k].get(-1), -1);
    assert.equal(forks[k].has(k * 1000 + 1), false);
  });
  assert.equal(m.size, 10_000); assert.equal(m.get(9_999), 19_998); assert.equal(m.has(-1), false);
});

// Kademlia-style retrieval (seed 001 §III-B, Eq. 2): table sizes as the paper gives them,
// recursive lookup reaching the target's community, relevant-distance fan-out, hop bounds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildNetwork, lookup, prefixBitsFor } from '../gateway/share/retrieval.js';
import { Rng } from '../boards/data/rng.js';
import { commonPrefix } from '../protocol/data-id.js';

const ids = (n: number, seed: number) => { const r = new Rng(seed); return Array.from({ length: n }, () => (BigInt(r.u32()) << 32n) | BigInt(r.u32())); };

test('communities by ID prefix; tables of ⌈log2 n⌉ records and ⌈log2 log2 n⌉ nodes per close community', () => {
  const n = 1000, net = buildNetwork(ids(n, 1));
  assert.equal(net.prefixBits, prefixBitsFor(n));
  assert.equal(net.prefixBits, 7);
  const L = Math.ceil(Math.log2(n)), LL = Math.ceil(Math.log2(L));
  for (const [c, rec] of net.communityTable) {
    assert.ok(rec.length <= L && rec.length >= Math.min(L, net.members.size - 1));
    for (const j of rec) assert.notEqual(net.community[j], c);
  }
  for (let i = 0; i < n; i++) assert.ok(net.closeTable[i].length <= L * LL);
  for (const [c, m] of net.members) for (const i of m) assert.equal(net.community[i], c);
});

test('a lookup reaches the target\'s community and returns its members closest first', () => {
  const all = ids(500, 2), net = buildNetwork(all);
  const rng = new Rng(9);
  for (let k = 0; k < 50; k++) {
    const t = rng.int(all.length), start = rng.int(all.length);
    const r = lookup(net, all[t], start, 1);
    assert.ok(r.found.includes(t), 'the target itself is found');
    assert.ok(r.hops <= net.prefixBits);
    for (const i of r.found) assert.ok(commonPrefix(all[i], all[t]) >= r.relevantBits);
    for (let i = 1; i < r.found.length; i++) assert.ok((all[r.found[i - 1]] ^ all[t]) <= (all[r.found[i]] ^ all[t]));
    assert.equal(r.messages >= r.hops + 1, true);
  }
});

test('the relevant distance widens until enough providers are found', () => {
  const all = ids(300, 3), net = buildNetwork(all);
  const one = lookup(net, all[0], 5, 1), many = lookup(net, all[0], 5, 40);
  assert.ok(many.found.length >= 40);
  assert.ok(many.relevantBits < one.relevantBits);
  assert.ok(many.messages > one.messages);
  assert.equal(lookup(net, all[0], 5, 10_000).found.length, 300, 'asking for everyone reaches everyone');
  assert.throws(() => lookup(net, 0n, 300, 1), RangeError);
  assert.throws(() => buildNetwork([]), RangeError);
});

test('hops per lookup stay at or below log2 n (1,000 providers)', () => {
  const all = ids(1000, 4), net = buildNetwork(all);
  const rng = new Rng(11);
  let hops = 0;
  const L = 300;
  for (let k = 0; k < L; k++) hops += lookup(net, (BigInt(rng.u32()) << 32n) | BigInt(rng.u32()), rng.int(1000), 3).hops;
  assert.ok(hops / L <= Math.log2(1000), `${hops / L} hops`);
  assert.ok(hops / L >= 1, 'lookups from random nodes do travel');
});

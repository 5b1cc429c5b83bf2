// Data profiles and provider IDs (seed 001 §III-B, Eq. 1–2): key-term hashing, the SimHash ID
// with its category prefix, XOR relevance, the Eq. 1 logic distance — and, on the real corpus,
// the property the retrieval relies on: providers with similar data share long ID prefixes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dataId, commonPrefix, logicDistance, physicalFactor, keyTermsProblem, termHash, idHex, idFromHex, xorDistance, CATEGORY_BITS, type KeyTerm } from '../protocol/data-id.js';
import { loadSpamCorpus } from '../boards/data/spam.js';
import { dataProfile, entryHashes, keyTerms } from '../boards/text/profile.js';
import { Rng } from '../boards/data/rng.js';
import { SPAM_CACHE } from './support/spam-cache.js';

const terms = (pairs: [number, number][]): KeyTerm[] => pairs.map(([hash, weight]) => ({ hash, weight })).sort((a, b) => a.hash - b.hash);

test('IDs: category in the top bits, deterministic SimHash below, hex round trip', () => {
  const t = terms([[termHash('free'), 200], [termHash('money'), 120], [termHash('free', 'money'), 90]]);
  const a = dataId(5, t);
  assert.equal(a >> BigInt(64 - CATEGORY_BITS), 5n);
  assert.equal(dataId(5, t), a);
  assert.equal(idFromHex(idHex(a)), a);
  assert.equal(termHash('a', 'b'), termHash('b', 'a'));
  assert.notEqual(termHash('a'), termHash('a', 'a'));
  assert.equal(commonPrefix(a, a), 64);
  assert.equal(commonPrefix(0n, 1n << 63n), 0);
  assert.equal(commonPrefix(0n, 1n), 63);
  assert.equal(xorDistance(6n, 3n), 5n);
  assert.throws(() => dataId(16, t), RangeError);
  assert.throws(() => idFromHex('xyz'), RangeError);
});

test('Eq. 1 logic distance: 0 for the same terms, 1 for disjoint ones, the weighted share otherwise', () => {
  const a = terms([[1, 10], [2, 20]]), b = terms([[2, 30], [3, 40]]);
  assert.equal(logicDistance(a, a), 0);
  assert.equal(logicDistance(a, terms([[7, 1]])), 1);
  // symmetric difference {1, 3}: 10 + 40; union {1, 2, 3}: 10 + (20 + 30) + 40
  assert.equal(logicDistance(a, b), 50 / 100);
  assert.equal(logicDistance(a, b, 3), 1.5);
  assert.equal(physicalFactor(), 1);
  assert.equal(physicalFactor([0, 0], [1, 1]), 1);
  assert.ok(Math.abs(physicalFactor([0, 0], [1000, 0]) - Math.log(1000)) < 1e-12);
});

test('key-term lists are checked: non-empty, sorted, bounded weights', () => {
  assert.equal(keyTermsProblem(terms([[1, 5], [9, 255]])), undefined);
  assert.match(keyTermsProblem([])!, /at least one/);
  assert.match(keyTermsProblem([{ hash: 9, weight: 1 }, { hash: 1, weight: 1 }])!, /sorted/);
  assert.match(keyTermsProblem([{ hash: 1, weight: 0 }])!, /weight/);
  assert.match(keyTermsProblem([{ hash: -1, weight: 3 }])!, /uint32/);
  const h = Uint32Array.of(10, 20, 30, 40);
  assert.deepEqual(keyTerms([0.2, 3.4, 9, 200.6], h, 2), [{ hash: 30, weight: 9 }, { hash: 40, weight: 201 }]);
});

test('on the corpus, providers holding mail of the same group share longer ID prefixes and lower Eq. 1 distances', () => {
  const c = loadSpamCorpus(SPAM_CACHE);
  const h = entryHashes(c.vocabulary);
  const rng = new Rng(3);
  const provs = Array.from({ length: 30 }, (_, p) => {
    const g = p % 5;
    const rows = rng.shuffle(c.train.filter((i) => c.group[i] === g)).slice(0, 60);
    return { g, prof: dataProfile(c.x, c.dim, rows, c.category, h) };
  });
  const same: number[] = [], diff: number[] = [], dSame: number[] = [], dDiff: number[] = [];
  for (let i = 0; i < provs.length; i++) for (let j = i + 1; j < provs.length; j++) {
    const l = commonPrefix(provs[i].prof.id, provs[j].prof.id), d = logicDistance(provs[i].prof.terms, provs[j].prof.terms);
    if (provs[i].g === provs[j].g) { same.push(l); dSame.push(d); } else { diff.push(l); dDiff.push(d); }
  }
  const mean = (a: number[]) => a.reduce((s, x) => s + x, 0) / a.length;
  assert.ok(mean(same) > mean(diff) + 3, `common prefix: same group ${mean(same).toFixed(1)} bits, different groups ${mean(diff).toFixed(1)}`);
  assert.ok(mean(dSame) < mean(dDiff), `Eq. 1: same group ${mean(dSame).toFixed(3)}, different ${mean(dDiff).toFixed(3)}`);
  for (const p of provs) assert.equal(p.prof.terms.length, 64);
});

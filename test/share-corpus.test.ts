// The SpamAssassin corpus as the providers and the requester hold it (boards/data/spam.ts):
// the split, the shards, the cache file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSpamCorpus, providerShards, spamDataset, readCorpusCache, SPAM, HAM } from '../boards/data/spam.js';
import { seqLength } from '../boards/text/graph.js';
import { SPAM_CACHE } from './support/spam-cache.js';
import { tempDir } from './support/tmp.js';

test('the corpus: 6,046 mails, 990 input bytes each, 20 % of each label held out for the requester', () => {
  const c = loadSpamCorpus(SPAM_CACHE);
  assert.equal(c.n, 6046);
  assert.equal(c.dim, seqLength(44));
  assert.equal(c.vocabulary.terms.length, 44);
  const spam = [...c.y].filter((y) => y === SPAM).length;
  assert.equal(spam, 500 + 1396, 'spam-1 and spam-2');
  const held = new Set(c.holdout);
  assert.equal(held.size + c.train.length, c.n);
  for (const r of c.train) assert.ok(!held.has(r));
  for (const label of [HAM, SPAM]) {
    const all = [...c.y].filter((y) => y === label).length, h = c.holdout.filter((r) => c.y[r] === label).length;
    assert.equal(h, Math.round(all * 0.2));
  }
  assert.ok(Math.max(...c.category) < 8 && new Set(c.category).size === 8);
  const d = spamDataset(c, c.holdout.slice(0, 3));
  assert.deepEqual([...d.x.subarray(0, c.dim)], [...c.x.subarray(c.holdout[0] * c.dim, (c.holdout[0] + 1) * c.dim)]);
  assert.equal(d.classes, 2);
});

test('provider shards partition the training mails, a few categories each', () => {
  const c = loadSpamCorpus(SPAM_CACHE);
  const s = providerShards(c, 12, 1);
  const seen = new Set<number>();
  for (const p of s) for (const r of p) { assert.ok(!seen.has(r)); seen.add(r); }
  assert.equal(seen.size, c.train.length);
  for (const p of s) assert.ok(new Set(p.map((r) => c.category[r])).size <= 4, 'two category-sorted shards span few categories');
  assert.deepEqual(providerShards(c, 12, 1), s, 'deterministic in the seed');
  assert.throws(() => providerShards(c, 0, 1), RangeError);
});

test('a truncated or corrupt cache file is refused, not read', () => {
  const t = tempDir('spam-cache-');
  try {
    const f = readdirSync(SPAM_CACHE).find((n) => n.startsWith('spam-assassin-'))!;
    const b = readFileSync(join(SPAM_CACHE, f));
    const p = join(t.dir, f);
    copyFileSync(join(SPAM_CACHE, f), p);
    assert.equal(readCorpusCache(p).n, 6046);
    writeFileSync(p, b.subarray(0, b.length - 10));
    assert.throws(() => readCorpusCache(p), /truncated or corrupt/);
    const garbled = Buffer.from(b); garbled[4] = 0x78;   // the header's opening brace
    writeFileSync(p, garbled);
    assert.throws(() => readCorpusCache(p), /truncated or corrupt/);
    writeFileSync(p, new Uint8Array(2));
    assert.throws(() => readCorpusCache(p), /truncated or corrupt/);
  } finally { t.cleanup(); }
});

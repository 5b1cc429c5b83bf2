// The provider-side text pipeline (seed 001 §III-A): tokenisation, TF-IDF, weighted context
// graphs and their serialisation, quantisation, Jaccard k-means, and the AUC the report uses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tokenise, mailText, plainText } from '../boards/text/tokenise.js';
import { docFreq, idf, tfidf } from '../boards/text/tfidf.js';
import { graphVector, quantise, seqLength, edgeIndex, representativeVertices, partScale } from '../boards/text/graph.js';
import { jaccard, jaccardKMeans, nearestCategory } from '../boards/text/kmeans.js';
import { auc } from '../boards/text/auc.js';

const MAIL = 'From: a@b\nReceived: from relay.example.org\nSubject: Cheap pills\n  today only\n\n<p>Buy =\nnow, cheap pills!</p> =3D&nbsp; deadbeefdeadbeefdeadbeefcafe\n';

test('tokenise reads the subject and body, drops transport headers, QP soft breaks, tags and hashes', () => {
  assert.deepEqual(mailText(MAIL).subject, 'Cheap pills today only');
  assert.equal(plainText('a=\nb =3D <b>c</b>'), 'ab =  c ');
  const t = tokenise(MAIL);
  assert.deepEqual(t, ['cheap', 'pills', 'today', 'buy', 'now', 'cheap', 'pills']);
  assert.ok(!t.includes('relay') && !t.includes('received'), 'Received header is not read');
});

test('TF-IDF: sublinear tf times smoothed idf', () => {
  const f = docFreq([['a', 'b'], ['a'], ['c']]);
  assert.equal(f.df.get('a'), 2);
  assert.ok(Math.abs(idf(f, 'a') - (Math.log(4 / 3) + 1)) < 1e-12);
  const w = tfidf(['b', 'b', 'a'], f);
  assert.ok(Math.abs(w.get('b')! - (1 + Math.log(2)) * (Math.log(4 / 2) + 1)) < 1e-12);
});

test('context graph (Definition 1) serialises to k nodes then the k(k−1)/2 upper-triangle edges', () => {
  assert.equal(seqLength(44), 990);
  assert.equal(edgeIndex(4, 0, 1), 0); assert.equal(edgeIndex(4, 0, 3), 2); assert.equal(edgeIndex(4, 1, 2), 3); assert.equal(edgeIndex(4, 2, 3), 5);
  const v = { terms: ['x', 'y', 'z'], window: 2, idf: [1, 2, 4] };
  // x y q x z: x–y co-occur once (window 2: next 2 tokens), y–x once more ("y q x"), x–z once
  const s = graphVector(['x', 'y', 'q', 'x', 'z'], v);
  assert.equal(s.length, 6);
  assert.ok(Math.abs(s[0] - (1 + Math.log(2)) * 1) < 1e-12);   // x twice
  assert.equal(s[1], 2); assert.equal(s[2], 4);                  // y, z once
  assert.ok(Math.abs(s[3 + edgeIndex(3, 0, 1)] - (1 + Math.log(2)) * Math.sqrt(2)) < 1e-12);
  assert.ok(Math.abs(s[3 + edgeIndex(3, 0, 2)] - Math.sqrt(4)) < 1e-12);
  assert.equal(s[3 + edgeIndex(3, 1, 2)], 0);
  const q = quantise(s, 3, { nodeScale: 4, edgeScale: 2 });
  assert.deepEqual([...q], [Math.round(255 * (1 + Math.log(2)) / 4), 128, 255, 255, 255, 0]);
  assert.equal(partScale([s], 3, 'node', 0), Math.min(s[0], s[1], s[2]));
});

test('representative vertices are the heaviest terms of the merged graph', () => {
  const docs = [['a', 'a', 'b'], ['a', 'c'], ['a', 'b']];
  const f = docFreq(docs);
  // a: (1 + ln 2)·1 + 1 + 1 ≈ 3.69; b: 2 · (ln(4/3) + 1) ≈ 2.58; c: ln 2 + 1 ≈ 1.69
  assert.deepEqual(representativeVertices(docs, f, 2, 1), ['a', 'b']);
  assert.deepEqual(representativeVertices(docs, f, 5, 2).sort(), ['a', 'b']);   // c is in one document only
});

test('Jaccard similarity and k-means separate two obvious categories', () => {
  assert.equal(jaccard([1, 0, 2], [1, 0, 2]), 1);
  assert.equal(jaccard([1, 0], [0, 1]), 0);
  assert.equal(jaccard([2, 1], [1, 3]), 2 / 5);
  const x = new Uint8Array(40 * 4);
  for (let i = 0; i < 40; i++) x.set(i < 20 ? [200, 180 + (i % 5), 0, 3] : [0, 2, 190 + (i % 7), 210], i * 4);
  const c = jaccardKMeans(x, 40, 4, 2, 7);
  const a = c.assign;
  for (let i = 1; i < 20; i++) assert.equal(a[i], a[0]);
  for (let i = 21; i < 40; i++) assert.equal(a[i], a[20]);
  assert.notEqual(a[0], a[20]);
  assert.equal(nearestCategory([190, 190, 0, 0], c.centroids), a[0]);
  assert.throws(() => jaccardKMeans(x, 40, 4, 41, 1), RangeError);
});

test('AUC: perfect, reversed, ties and a hand-computed case', () => {
  assert.equal(auc([1, 2, 3, 4], [0, 0, 1, 1]), 1);
  assert.equal(auc([4, 3, 2, 1], [0, 0, 1, 1]), 0);
  assert.equal(auc([5, 5, 5, 5], [0, 1, 0, 1]), 0.5);
  // positives 2 and 4 against negatives 1 and 3: pairs won (2>1), (4>1), (4>3) = 3 of 4
  assert.equal(auc([1, 2, 3, 4], [0, 1, 0, 1]), 0.75);
  assert.ok(Number.isNaN(auc([1, 2], [1, 1])));
});

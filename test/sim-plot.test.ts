// SVG charts: well-formed, one polyline per series, log axis ticks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lineChart, ticks } from '../sim/plot/svg.js';
import { formatEta } from '../sim/metrics/progress.js';

test('ticks are nice and cover the range', () => {
  assert.deepEqual(ticks(0, 1), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(ticks(0, 50, 5), [0, 10, 20, 30, 40, 50]);
});

test('line chart: one polyline per series, escaped labels, log x', () => {
  const svg = lineChart([{ name: 'a<b', points: [[1, 0.1], [10, 0.5], [100, 0.9]] }, { name: 'c', points: [[1, 0.2], [100, 0.3]] }],
    { title: 't & u', xLabel: 'x', yLabel: 'y', logX: true });
  assert.match(svg, /^<svg /);
  assert.match(svg, /<\/svg>\n$/);
  assert.equal(svg.match(/<polyline/g)?.length, 2);
  assert.match(svg, /a&lt;b/);
  assert.match(svg, /t &amp; u/);
  assert.match(svg, />100</);
});

test('ETA formatting', () => {
  assert.equal(formatEta(5), '5s');
  assert.equal(formatEta(185), '3m05s');
  assert.equal(formatEta(3720), '1h02m');
});

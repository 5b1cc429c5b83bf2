// A fleet split over processes (sim/fleet/slice.ts, sim/fleet/fleet.ts): the slices of one
// fleet hold every board exactly once, worker ids do not collide, and what cannot be split is
// refused with a clear error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSlice } from '../sim/fleet/slice.js';
import { Fleet, type FleetOptions } from '../sim/fleet/fleet.js';
import { validateScenario } from '../sim/scenario/schema.js';

const options = (count: number, slice?: { index: number; of: number }, attackers: unknown[] = []): FleetOptions => ({
  scenario: validateScenario({ name: 'slices', seed: 1, rounds: 1, devices: { count }, attackers }),
  roles: new Int16Array(count).fill(-1), shards: undefined as never, brokerUrl: 'mqtt://127.0.0.1:1', task: 'slices',
  gatewayPublicRaw: new Uint8Array(32), chain: new Uint8Array(32), workers: 2, slice,
  roundModel: () => { throw new Error('unused'); }, roundCounts: () => ({ trainers: 0, colluders: 0 }), onError: () => {},
});

test('parseSlice: K/P with 0 ≤ K < P', () => {
  assert.deepEqual(parseSlice('0/2'), { index: 0, of: 2 });
  assert.deepEqual(parseSlice(' 3/4 '), { index: 3, of: 4 });
  for (const bad of ['2/2', '1/0', '-1/2', '1', 'a/b', '1/2/3', '0/2000']) assert.throws(() => parseSlice(bad), RangeError, bad);
});

test('the slices of a fleet partition its boards; their worker ids are disjoint', () => {
  const whole = new Fleet(options(11));
  assert.deepEqual(whole.boards, Array.from({ length: 11 }, (_, i) => i));
  const parts = [0, 1, 2].map((k) => new Fleet(options(11, { index: k, of: 3 })));
  assert.deepEqual(parts.map((f) => f.boards), [[0, 3, 6, 9], [1, 4, 7, 10], [2, 5, 8]]);
  assert.deepEqual(parts.flatMap((f) => f.boards).sort((a, b) => a - b), whole.boards);
  // worker w of slice k is k·1024 + w: each fleet owns its own ids only
  assert.ok(parts[0].ownsWorker(0) && parts[0].ownsWorker(1) && !parts[0].ownsWorker(1024));
  assert.ok(parts[1].ownsWorker(1024) && parts[1].ownsWorker(1025) && !parts[1].ownsWorker(1) && !parts[1].ownsWorker(1026));
  // a slice with fewer boards than workers runs one worker per board
  assert.equal(new Fleet(options(3, { index: 2, of: 3 })).count, 1);
});

test('a bad slice and a collective attack across slices are refused', () => {
  assert.throws(() => new Fleet(options(10, { index: 2, of: 2 })), RangeError);
  assert.throws(() => new Fleet(options(10, { index: 0, of: 2 }, [{ type: 'little-is-enough', fraction: 0.2 }])), /whole fleet in one process/);
  assert.doesNotThrow(() => new Fleet(options(10, undefined, [{ type: 'little-is-enough', fraction: 0.2 }])));
  assert.doesNotThrow(() => new Fleet(options(10, { index: 0, of: 2 }, [{ type: 'gaussian', fraction: 0.2 }])));
});

// The C boards' dataset file (boards/hosts/dataset-file.ts, read by boards/hosts/wamr/dataset.c)
// and the board files drawn from a cluster deployment (boards/hosts/board-files.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeDatasetFile, decodeDatasetFile, DatasetFileError, DATASET_HEADER_BYTES } from '../boards/hosts/dataset-file.js';
import { writeBoardFiles } from '../boards/hosts/board-files.js';
import { initCluster } from '../sim/cluster-init.js';
import { fleetShards } from '../boards/data/fleet-shards.js';
import { readDeployment } from '../protocol/deployment.js';
import { tempDir } from './support/tmp.js';

const d = { n: 3, dim: 4, classes: 10, x: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]), y: Uint8Array.from([0, 9, 5]) };

test('round trip and the exact layout (header, features, labels)', () => {
  const b = encodeDatasetFile(d);
  assert.equal(b.length, DATASET_HEADER_BYTES + 12 + 3);
  assert.deepEqual(Array.from(b.subarray(0, 20)), [0x45, 0x46, 0x44, 0x53, 1, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 10, 0, 0, 0]);
  assert.deepEqual(Array.from(b.subarray(20)), [...d.x, ...d.y]);
  const r = decodeDatasetFile(b);
  assert.deepEqual({ ...r, x: Array.from(r.x), y: Array.from(r.y) }, { ...d, x: Array.from(d.x), y: Array.from(d.y) });
});

test('bad files and shapes are refused with DatasetFileError', () => {
  const b = encodeDatasetFile(d);
  for (const bad of [b.subarray(0, 10), b.subarray(0, b.length - 1), Uint8Array.from([...b, 0]),
    Uint8Array.from(b).fill(0x58, 0, 1), Uint8Array.from(b).fill(2, 4, 5), Uint8Array.from(b).fill(10, b.length - 1)]) {
    assert.throws(() => decodeDatasetFile(bad), DatasetFileError);
  }
  assert.throws(() => encodeDatasetFile({ ...d, y: Uint8Array.from([0, 10, 1]) }), /label 10/);
  assert.throws(() => encodeDatasetFile({ ...d, dim: 1025, x: new Uint8Array(3 * 1025) }), /dim/);
  assert.throws(() => encodeDatasetFile({ ...d, classes: 17 }), /classes/);
  assert.throws(() => encodeDatasetFile({ ...d, t: new Int32Array(3) }), /targets/);
});

test('board files from a deployment: the device\'s shard, key seed and home gateway key', async () => {
  const tmp = tempDir('board-files-');
  try {
    const init = await initCluster({ out: tmp.dir, seed: 3, gateways: 2, devices: 3, engine: 'fedavg' });
    const cfg = writeBoardFiles(init.genesis, init.boardSeeds[0], 'dev-00002', join(tmp.dir, 'b'));
    const dep = readDeployment(init.genesis);
    const shard = decodeDatasetFile(readFileSync(join(tmp.dir, 'b', 'shard.efds')));
    const want = fleetShards(dep.data.seed, 3, dep.data.alpha)[2];
    assert.equal(shard.n, want.n);
    assert.ok(Buffer.from(shard.x).equals(Buffer.from(want.x)) && Buffer.from(shard.y).equals(Buffer.from(want.y)));
    const home = dep.genesis.managers.find((m) => m.id === dep.devices[2].home)!;
    assert.equal(cfg.gatewayKey, Buffer.from(home.publicKey).toString('hex'));
    assert.equal(cfg.trainSeed, dep.data.seed * 1000 + 2);
    assert.match(readFileSync(join(tmp.dir, 'b', 'device.seed'), 'utf8'), /^[0-9a-f]{64}\n$/);
    assert.throws(() => writeBoardFiles(init.genesis, init.boardSeeds[0], 'dev-99999', join(tmp.dir, 'c')), /not in the deployment/);
  } finally { tmp.cleanup(); }
});

// The deployment and seed files of a cluster on separate boxes (gateway/cluster/deployment.ts):
// round trip, and typed errors for bad input at the boundary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeDeployment, encodeDeployment, parseSeed, parseDeviceSeeds, readDeployment, DeploymentError } from '../protocol/deployment.js';
import { gatewaySeed } from '../gateway/cluster/setup.js';
import { toHex } from '../protocol/bytes.js';
import { initCluster } from '../sim/cluster-init.js';
import { tempDir } from './support/tmp.js';
import { decodeBlock } from '../gateway/ledger/index.js';

test('cluster-init writes a deployment that decodes to the same genesis, devices and block 1, and seed files for every process', async () => {
  const tmp = tempDir('cl-dep-');
  try {
    const f = await initCluster({ out: tmp.dir, seed: 3, gateways: 4, devices: 5, engine: 'pow', boardProcesses: 2, difficulty: 6 });
    const d = readDeployment(f.genesis);
    assert.equal(d.genesis.managers.length, 4);
    assert.deepEqual(d.devices.map((x) => x.home), ['gw-0', 'gw-1', 'gw-2', 'gw-3', 'gw-0']);
    const reg = decodeBlock(d.registration);
    assert.equal(reg.header.height, 1);
    assert.equal(reg.approvals.length, 4);
    assert.deepEqual(d.settings, { difficulty: 6 });
    assert.equal(encodeDeployment(decodeDeployment(encodeDeployment(d))), encodeDeployment(d));
    assert.equal(toHex(parseSeed(readFileSync(f.gatewaySeeds[2], 'utf8'))), toHex(gatewaySeed(2, 3)));
    const seeds = f.boardSeeds.map((p) => [...parseDeviceSeeds(readFileSync(p, 'utf8')).keys()]);
    assert.deepEqual(seeds, [['dev-00000', 'dev-00002', 'dev-00004'], ['dev-00001', 'dev-00003']]);
    const j = JSON.parse(readFileSync(join(tmp.dir, 'genesis.json'), 'utf8'));
    assert.throws(() => decodeDeployment(JSON.stringify({ ...j, format: 'x' })), DeploymentError);
    assert.throws(() => decodeDeployment(JSON.stringify({ ...j, engine: 'raft' })), /engine/);
    assert.throws(() => decodeDeployment(JSON.stringify({ ...j, devices: [{ ...j.devices[0], home: 'gw-9' }] })), /not a genesis gateway/);
    assert.throws(() => decodeDeployment(JSON.stringify({ ...j, devices: [{ ...j.devices[0], publicKey: 'abcd' }] })), /publicKey/);
    assert.throws(() => decodeDeployment('{'), /not JSON/);
  } finally { tmp.cleanup(); }
});

test('seeds must be exactly 32 bytes of hex', () => {
  assert.equal(parseSeed(' ' + 'ab'.repeat(32) + '\n').length, 32);
  assert.throws(() => parseSeed('ab'.repeat(31)), DeploymentError);
  assert.throws(() => parseSeed('zz'.repeat(32)), DeploymentError);
  assert.throws(() => parseDeviceSeeds('[]'), DeploymentError);
});

#!/usr/bin/env node
// Files for a C board (boards/hosts/wamr or esp32) from a cluster deployment (sim/cluster-init.ts):
//   node build/boards/hosts/board-files.js --genesis genesis.json --seeds boards-0.seeds.json --device dev-00001 --out DIR
// writes DIR/shard.efds (the device's MNIST shard, the same draw boards/cli.ts trains on),
// DIR/device.seed (its key seed, 64 hex, mode 0600) and DIR/board.json (id, task, home gateway key,
// train seed, batch, lr), and prints the edgechain-board command line. Exit codes: 0, 1, 2 usage.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fleetShards } from '../data/fleet-shards.js';
import { TRAIN } from '../../protocol/task.js';
import { parseDeviceSeeds, readDeployment } from '../../protocol/deployment.js';
import { toHex } from '../../protocol/bytes.js';
import { encodeDatasetFile } from './dataset-file.js';

/** What a C board is configured with (the options of edgechain-board). */
export interface BoardConfig { id: string; task: string; gatewayKey: string; trainSeed: number; batch: number; lr: number }

/** Writes a device's files into `out`; returns its configuration. Throws on an unknown device. */
export function writeBoardFiles(genesisPath: string, seedsPath: string, device: string, out: string): BoardConfig {
  const dep = readDeployment(genesisPath);
  const seed = parseDeviceSeeds(readFileSync(seedsPath, 'utf8')).get(device);
  const i = dep.devices.findIndex((d) => d.id === device);
  if (i < 0 || !seed) throw new Error(`device ${device} is not in the deployment and its seeds file`);
  const home = dep.genesis.managers.find((m) => m.id === dep.devices[i].home);
  if (!home) throw new Error(`device ${device}: home gateway ${dep.devices[i].home} is not a manager`);
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'shard.efds'), encodeDatasetFile(fleetShards(dep.data.seed, dep.devices.length, dep.data.alpha)[i]));
  writeFileSync(join(out, 'device.seed'), toHex(seed) + '\n', { mode: 0o600 });
  const cfg: BoardConfig = { id: device, task: dep.task, gatewayKey: toHex(home.publicKey), trainSeed: dep.data.seed * 1000 + i, batch: TRAIN.batch, lr: TRAIN.lr };
  writeFileSync(join(out, 'board.json'), JSON.stringify(cfg, null, 2) + '\n');
  return cfg;
}

function main(argv: string[]): number {
  const { values: v } = parseArgs({ args: argv, options: {
    genesis: { type: 'string' }, seeds: { type: 'string' }, device: { type: 'string' }, out: { type: 'string' },
  } });
  if (!v.genesis || !v.seeds || !v.device || !v.out) {
    process.stderr.write('usage: board-files --genesis genesis.json --seeds boards.seeds.json --device ID --out DIR\n');
    return 2;
  }
  const c = writeBoardFiles(v.genesis, v.seeds, v.device, v.out);
  process.stdout.write(`edgechain-board --wasm build/firmware/release.wasm --data ${join(v.out, 'shard.efds')} --key-file ${join(v.out, 'device.seed')} ` +
    `--id ${c.id} --task ${c.task} --gateway-key ${c.gatewayKey} --train-seed ${c.trainSeed} --batch ${c.batch} --lr ${c.lr} --broker mqtt://<broker>:1883\n`);
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try { process.exitCode = main(process.argv.slice(2)); } catch (e) { process.stderr.write(`${(e as Error).message}\n`); process.exitCode = 1; }
}

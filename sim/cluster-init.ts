#!/usr/bin/env node
// Deployment files for a cluster on separate boxes (issue 6 §6), from one seed:
//   node build/sim/cluster-init.js --out DIR [--seed 1] [--gateways 4] [--devices 8]
//        [--engine fedavg|pow] [--task mnist-lr] [--alpha 0.5] [--board-processes 1] [--difficulty 10]
// writes DIR/genesis.json (public: genesis, devices and home gateways, initial-model hash,
// block 1 registering the devices with every gateway's approval), DIR/gw-<g>.seed (one per
// gateway box, 64 hex, mode 0600) and DIR/boards-<k>.seeds.json (the device keys a board
// process provisions into firmware, mode 0600). Keys are the demo's seeded keys (protocol/keys.ts
// demoSeed): deterministic, so every box can also regenerate its files; not for production.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fleetShards } from '../boards/data/fleet-shards.js';
import { DEFAULT_TASK, ENGINE_NAMES } from '../protocol/task.js';
import { Ledger, nodeSigner, encodeBlock, genesisBlock } from '../gateway/ledger/index.js';
import { sha256, toHex } from '../protocol/bytes.js';
import { engineParams } from '../gateway/consensus/registry.js';
import { clusterGenesis, makeEngine, taskRule, deviceId, deviceSeed, gatewayId, gatewaySeed, registrationBlock } from '../gateway/cluster/setup.js';
import { encodeDeployment, type Deployment } from '../protocol/deployment.js';
import { FirmwareInstance } from '../boards/firmware/instance.js';
import { Kernel } from '../boards/firmware/kernel.js';
import type { EngineName } from '../gateway/consensus/engine.js';

/** Initial global model of a deployment (the firmware's deterministic init; 784 → 10 logreg). */
export function initialModelOf(m: { inputs: number; outputs: number; seed: number }): Uint8Array {
  return Kernel.initialModel(new FirmwareInstance(), { arch: 'logreg', inputs: m.inputs, outputs: m.outputs, seed: m.seed });
}

export interface InitOptions { out: string; seed: number; gateways: number; devices: number; engine: EngineName; task?: string; alpha?: number; boardProcesses?: number; difficulty?: number; defence?: boolean }

/** Writes the deployment files; returns their paths. Throws RangeError on bad counts. */
export async function initCluster(o: InitOptions): Promise<{ genesis: string; gatewaySeeds: string[]; boardSeeds: string[] }> {
  if (!Number.isInteger(o.gateways) || o.gateways < 1 || o.gateways > 64) throw new RangeError('--gateways must be 1…64');
  if (!Number.isInteger(o.devices) || o.devices < 1 || o.devices > 10_000) throw new RangeError('--devices must be 1…10000');
  const K = o.boardProcesses ?? 1;
  if (!Number.isInteger(K) || K < 1 || K > o.devices) throw new RangeError('--board-processes must be 1…devices');
  const task = o.task ?? DEFAULT_TASK, alpha = o.alpha ?? 0.5;
  const out = resolve(o.out);
  mkdirSync(out, { recursive: true });
  if (o.defence && o.engine !== 'fedavg') throw new RangeError('--defence runs on a fedavg task (--engine fedavg)');
  const settings = o.engine === 'pow' ? { difficulty: o.difficulty ?? 10 } : o.defence ? { rootTrust: true } : {};
  const genesis = clusterGenesis(o.seed, o.gateways, o.engine, task, engineParams(makeEngine(o.engine, o.devices, settings), taskRule(settings)));
  const gws = Array.from({ length: o.gateways }, (_, g) => nodeSigner(gatewayId(g), gatewaySeed(g, o.seed)));
  const shards = fleetShards(o.seed, o.devices, alpha);
  const devices = shards.map((d, i) => ({ id: deviceId(i), publicKey: nodeSigner(deviceId(i), deviceSeed(deviceId(i), o.seed)).publicKey, home: gatewayId(i % o.gateways), samples: d.n }));
  // Block 1 is built once here, on a scratch ledger, with every gateway's approval.
  const scratch = mkdtempSync(join(tmpdir(), 'cluster-init-'));
  let registration;
  try {
    const l = await Ledger.open(scratch, { genesis });
    try { registration = await registrationBlock(l, gws, devices, o.engine); } finally { await l.close(); }
  } finally { rmSync(scratch, { recursive: true, force: true }); }
  const model = { arch: 'logreg' as const, inputs: shards[0].dim, outputs: shards[0].classes, seed: o.seed, hash: '' };
  model.hash = toHex(sha256(initialModelOf(model)));
  const dep: Deployment = {
    genesis, chain: genesisBlock(genesis).hash, task, engine: o.engine, settings,
    model, data: { seed: o.seed, alpha }, devices, registration: encodeBlock(registration!),
  };
  const genesisPath = join(out, 'genesis.json');
  writeFileSync(genesisPath, encodeDeployment(dep));
  const gatewaySeeds = gws.map((s, g) => { const p = join(out, `${s.id}.seed`); writeFileSync(p, toHex(gatewaySeed(g, o.seed)) + '\n', { mode: 0o600 }); return p; });
  const boardSeeds = Array.from({ length: K }, (_, k) => {
    const p = join(out, `boards-${k}.seeds.json`);
    const mine = devices.filter((_, i) => i % K === k).map((d) => [d.id, toHex(deviceSeed(d.id, o.seed))]);
    writeFileSync(p, JSON.stringify(Object.fromEntries(mine), null, 1) + '\n', { mode: 0o600 });
    return p;
  });
  return { genesis: genesisPath, gatewaySeeds, boardSeeds };
}

async function main(argv: string[]): Promise<number> {
  const { values: v } = parseArgs({ args: argv, options: {
    out: { type: 'string' }, seed: { type: 'string', default: '1' }, gateways: { type: 'string', default: '4' }, devices: { type: 'string', default: '8' },
    engine: { type: 'string', default: 'fedavg' }, task: { type: 'string' }, alpha: { type: 'string', default: '0.5' },
    'board-processes': { type: 'string', default: '1' }, difficulty: { type: 'string' }, defence: { type: 'boolean' },
  } });
  if (!v.out) { process.stderr.write('usage: cluster-init --out DIR [--seed N] [--gateways G] [--devices N] [--engine fedavg|pow] [--defence] [--board-processes K]\n'); return 2; }
  if (!(ENGINE_NAMES as readonly string[]).includes(v.engine)) { process.stderr.write(`--engine must be one of ${ENGINE_NAMES.join(', ')}\n`); return 2; }
  const r = await initCluster({
    out: v.out, seed: Number(v.seed), gateways: Number(v.gateways), devices: Number(v.devices), engine: v.engine as EngineName, task: v.task,
    alpha: Number(v.alpha), boardProcesses: Number(v['board-processes']), difficulty: v.difficulty ? Number(v.difficulty) : undefined, defence: v.defence,
  });
  process.stdout.write(JSON.stringify(r) + '\n');
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).then((c) => { process.exitCode = c; }, (e) => { process.stderr.write(`${e?.message ?? e}\n`); process.exitCode = 1; });
}

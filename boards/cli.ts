#!/usr/bin/env node
// A process of emulated boards for a cluster on separate boxes (issue 6 §6):
//   node build/boards/cli.js --genesis genesis.json --seeds boards-0.seeds.json --broker mqtt://host:1883
//        [--board emulated] [--epochs 1] [--json]
// Runs one DeviceAgent per device in the seeds file, each with its own firmware instance whose
// signer is provisioned with that device's seed, its MNIST shard (sim/cluster-init.ts draws the
// same shards from the deployment's data seed) and its home gateway's key from the deployment.
// Boards follow the global model and publish signed updates (fedavg, pow) and, for the BFLC
// committee engine, score candidates when named on the committee. PoQ reports over MQTT are
// not built yet. Runs until SIGINT/SIGTERM. Exit codes: 0 stopped, 1 failure, 2 usage. With
// --sensor it is boards/sensor-cli.ts (a real board training on its own sensor).
// A board process depends only on the protocol layer and the board code (boards/, protocol/).
import { readFileSync } from 'node:fs';
import { escapeText } from '../protocol/log-text.js';
import { brokerOptions } from './transport/credentials.js';
import { parseArgs } from 'node:util';
import { DeviceAgent } from './agent.js';
import { boardProfile } from './profiles.js';
import { DeviceSigner } from './firmware/signer.js';
import { MqttTransport } from './transport/mqtt.js';
import { presenceWill } from '../protocol/presence.js';
import { fleetShards } from './data/fleet-shards.js';
import { toHex } from '../protocol/bytes.js';
import { ed25519PublicKey } from '../protocol/cose.js';
import { parseDeviceSeeds, readDeployment } from '../protocol/deployment.js';
import { TRAIN } from '../protocol/task.js';

const USAGE = 'usage: boards --genesis genesis.json --seeds boards.seeds.json --broker mqtt://host:port [--board emulated] [--epochs 1] [--broker-auth none|token|password] [--ca broker-cert.pem] [--json]\n';

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--sensor')) return (await import('./sensor-cli.js')).main(argv);   // a board's own sensor (boards/sensor-cli.ts)
  const { values: v } = parseArgs({ args: argv, options: {
    genesis: { type: 'string' }, seeds: { type: 'string' }, broker: { type: 'string' }, board: { type: 'string', default: 'emulated' },
    epochs: { type: 'string', default: '1' }, 'broker-auth': { type: 'string', default: 'none' }, ca: { type: 'string' }, json: { type: 'boolean', default: false }, help: { type: 'boolean', default: false },
  } });
  if (v.help || !v.genesis || !v.seeds || !v.broker) { process.stderr.write(USAGE); return 2; }
  const say = (e: Record<string, unknown>, text: string) => process.stdout.write(v.json ? JSON.stringify(e) + '\n' : text + '\n');
  const dep = readDeployment(v.genesis);
  const seeds = parseDeviceSeeds(readFileSync(v.seeds, 'utf8'));
  const index = new Map(dep.devices.map((d, i) => [d.id, i]));
  const trust = { chain: dep.chain, gateways: new Map(dep.genesis.managers.map((m) => [m.id, ed25519PublicKey(m.publicKey)])) };
  const shards = fleetShards(dep.data.seed, dep.devices.length, dep.data.alpha);
  const profile = boardProfile(v.board);
  const agents: DeviceAgent[] = [];
  for (const [id, seed] of seeds) {
    const i = index.get(id);
    if (i === undefined) throw new Error(`device ${id} is not in the deployment`);
    const d = dep.devices[i];
    const a = new DeviceAgent({
      id, task: dep.task, profile, data: shards[i], engine: dep.engine,
      train: { epochs: Number(v.epochs), batch: TRAIN.batch, lr: TRAIN.lr, seed: dep.data.seed * 1000 + i },
      trust,   // any gateway of the deployment's chain, certified by a quorum
      signer: (fw) => { const s = new DeviceSigner(fw); s.provision(seed); return s; },
      onEvent: (e) => { if (e.event !== 'reject_global') say({ ...e }, `[${e.device}] ${e.event}${e.round ? ` round ${e.round}` : ''}${e.detail ? `: ${escapeText(e.detail)}` : ''}`); },
    });
    if (toHex(a.publicKey()) !== toHex(d.publicKey)) throw new Error(`device ${id}: the seed's key is not the registered one`);
    agents.push(a);
  }
  let stopping: (() => void) | undefined;
  const stopped = new Promise<void>((res) => { stopping = res; });
  process.on('SIGINT', () => stopping?.()); process.on('SIGTERM', () => stopping?.());
  try {
    for (const a of agents) await a.connect(await MqttTransport.connect(v.broker, a.id, { will: presenceWill(dep.task, a.id), ...brokerOptions(v['broker-auth'], a.id, dep.chain, seeds.get(a.id)!, v.ca) }));
    say({ event: 'ready', devices: agents.map((a) => a.id) }, `${agents.length} boards connected to ${v.broker}`);
    await stopped;
  } finally {
    for (const a of agents) await a.close();
  }
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).then((c) => { process.exitCode = c; process.exit(); }, (e) => { process.stderr.write(`${e?.message ?? e}\n`); process.exitCode = 1; process.exit(); });
}

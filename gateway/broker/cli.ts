#!/usr/bin/env node
// `npm run broker-config -- --genesis DIR/genesis.json --seeds DIR/boards-0.seeds.json
//   --gateway-seed gw-0=DIR/gw-0.seed [--gateway-seed …] --out DIR [--port 8883] [--bind ADDR] [--tls [--host NAME]]`:
// writes a Mosquitto configuration for the deployment (gateway/broker/mosquitto.ts):
// mosquitto.conf, passwd (mosquitto_passwd format), acl and, with --tls, a certificate and key
// made with openssl (cert.pem is what boards and gateways pass as --ca). Clients then connect
// with --broker-auth password.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { readDeployment, parseDeviceSeeds, parseSeed } from '../../protocol/deployment.js';
import { MAX_CLUSTER_MESSAGE } from '../../protocol/limits.js';
import { mosquittoConfig } from './mosquitto.js';
import { loopbackCertificate } from './certs.js';

const USAGE = 'usage: broker-config --genesis genesis.json --seeds boards.seeds.json [--seeds …] --gateway-seed ID=FILE [--gateway-seed …] --out DIR [--port 8883] [--bind ADDR] [--tls [--host NAME …]]\n';

export function main(argv: string[]): number {
  const { values: v } = parseArgs({ args: argv, options: {
    genesis: { type: 'string' }, seeds: { type: 'string', multiple: true }, 'gateway-seed': { type: 'string', multiple: true },
    out: { type: 'string' }, port: { type: 'string', default: '8883' }, bind: { type: 'string' }, host: { type: 'string', multiple: true }, tls: { type: 'boolean', default: false }, help: { type: 'boolean', default: false },
  } });
  if (v.help || !v.genesis || !v.out || !v.seeds?.length || !v['gateway-seed']?.length) { process.stderr.write(USAGE); return 2; }
  const dep = readDeployment(v.genesis);
  const devices = v.seeds.flatMap((f) => [...parseDeviceSeeds(readFileSync(f, 'utf8'))].map(([id, seed]) => ({ id, seed })));
  const gateways = v['gateway-seed'].map((x) => {
    const [id, file] = x.split('=');
    if (!id || !file) throw new RangeError(`--gateway-seed ${x}: expected ID=FILE`);
    if (!dep.genesis.managers.some((m) => m.id === id)) throw new RangeError(`${id} is not a gateway of this genesis`);
    return { id, seed: parseSeed(readFileSync(file, 'utf8'), file) };
  });
  const out = resolve(v.out);
  mkdirSync(out, { recursive: true });
  const files = { passwd: join(out, 'passwd'), acl: join(out, 'acl'), ...(v.tls ? { cert: join(out, 'cert.pem'), key: join(out, 'key.pem') } : {}) };
  const c = mosquittoConfig({ task: dep.task, chain: dep.chain, gateways, devices, port: Number(v.port), bind: v.bind, files, maxPacketBytes: MAX_CLUSTER_MESSAGE });
  writeFileSync(join(out, 'mosquitto.conf'), c.conf);
  writeFileSync(files.passwd, c.passwd, { mode: 0o640 });
  writeFileSync(files.acl, c.acl);
  if (v.tls) { const t = loopbackCertificate(365, v.host ?? []); writeFileSync(files.cert!, t.cert); writeFileSync(files.key!, t.key, { mode: 0o640 }); }
  process.stdout.write(`wrote ${out}/mosquitto.conf (${gateways.length} gateways, ${devices.length} devices${v.tls ? ', TLS' : ''}): mosquitto -c ${out}/mosquitto.conf\n`);
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try { process.exitCode = main(process.argv.slice(2)); } catch (e) { process.stderr.write(`${(e as Error).message}\n`); process.exitCode = 1; }
}

#!/usr/bin/env node
// One gateway (super node) of a cluster, one process per edge box (issue 6 §4, §6):
//   node build/gateway/cli.js --id gw-1 --broker mqtt://host:1883 --data-dir DIR
//        --genesis genesis.json (--seed-file gw-1.seed | --seed-hex <64 hex> | $EDGECHAIN_GATEWAY_SEED)
//        [--rounds R] [--round-timeout-ms 15000] [--view-timeout-ms T] [--peer-wait-ms 30000] [--json]
//        [--dashboard [PORT]] [--dashboard-host H]   (the read-only web dashboard, gateway/dashboard/)
// Opens its own LevelDB ledger (imports the deployment's registration block on first start),
// waits until every genesis gateway has said hello on the broker (or --peer-wait-ms), runs a
// gateway node (gateway/node.ts: the round driver with BFT finality) until R rounds are final
// (forever without --rounds) and exits 0; SIGINT/SIGTERM stop it cleanly (ledger closed).
// Progress: one line per finalized round (JSON with --json). Exit codes: 0 done, 1 failure,
// 2 usage. Engines: fedavg, pow and committee (boards score over MQTT); PoQ's device-side
// reports over MQTT are not built yet.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Ledger, nodeSigner } from './ledger/index.js';
import { sha256, toHex } from '../protocol/bytes.js';
import { helloTopic, helloFilter, parseTopic } from '../protocol/topics.js';
import { gatewayNode } from './node.js';
import type { RoundDriver } from './round/driver.js';
import type { RoundSummary } from './round/summary.js';
import type { QuorumStatus } from './finality/bft.js';
import { clusterNodeOptions } from './cluster/setup.js';
import { MqttTransport, type MqttTransportOptions } from '../boards/transport/mqtt.js';
import { brokerOptions } from '../boards/transport/credentials.js';
import { presenceWill } from '../protocol/presence.js';
import { loadMnist } from '../boards/data/mnist.js';
import { trainTestSplit } from '../boards/data/split.js';
import { parseSeed, readDeployment, type Deployment } from '../protocol/deployment.js';
import { FirmwareInstance } from '../boards/firmware/instance.js';
import { Kernel } from '../boards/firmware/kernel.js';
import { startDashboard, type Dashboard } from './dashboard/server.js';
import { BftFinality } from './finality/bft.js';
import { clusterView } from './finality/view.js';
import { dashboardArgv, dashboardPort } from './dashboard/args.js';
import { rootUpdater, mnistRootData, ROOT_TRAINING } from './round/root-update.js';
import { decodeModel } from '../protocol/model-blob.js';

const USAGE = 'usage: gateway --id gw-N --broker mqtt://host:port --data-dir DIR --genesis genesis.json (--seed-file F | --seed-hex H | env EDGECHAIN_GATEWAY_SEED) [--rounds R] [--round-timeout-ms MS] [--view-timeout-ms MS] [--peer-wait-ms MS] [--broker-auth none|token|password] [--ca broker-cert.pem] [--quorum-timeout-ms MS] [--dashboard [PORT]] [--dashboard-host H] [--json]\n';

/** The hello marker (protocol/topics.ts helloTopic) is a retained, unsigned "I am subscribed"
 *  per gateway. It only gates when round 1 starts (so no gateway misses the first updates);
 *  safety never depends on it. Announces this gateway and waits until all `ids` have (or `ms`
 *  pass); returns who was seen. */
async function helloBarrier(url: string, task: string, id: string, ids: string[], ms: number, signal: AbortSignal, creds: MqttTransportOptions = {}): Promise<{ seen: string[]; clear(): Promise<void> }> {
  const c = await MqttTransport.connect(url, creds.auth ? `${id}~hello` : `hello-${id}`, creds);
  const seen = new Set<string>();
  let done: () => void = () => {};
  const all = new Promise<void>((res) => { done = res; });
  c.onMessage((topic, payload) => {
    const who = parseTopic(topic)?.id;
    if (payload.length && who) seen.add(who);
    if (ids.every((x) => seen.has(x))) done();
  });
  await c.subscribe([helloFilter(task)]);
  await c.publish(helloTopic(task, id), new TextEncoder().encode(JSON.stringify({ id, pid: process.pid })), { qos: 1, retain: true });
  let timer: NodeJS.Timeout | undefined;
  signal.addEventListener('abort', () => done(), { once: true });
  await Promise.race([all, new Promise<void>((res) => { timer = setTimeout(res, ms); })]);
  clearTimeout(timer);
  return {
    seen: ids.filter((x) => seen.has(x)),
    clear: async () => { await c.publish(helloTopic(task, id), new Uint8Array(0), { qos: 1, retain: true }).catch(() => {}); await c.close(); },
  };
}

function readGatewaySeed(v: { 'seed-file'?: string; 'seed-hex'?: string }): Uint8Array {
  if (v['seed-hex']) return parseSeed(v['seed-hex'], '--seed-hex');
  if (v['seed-file']) return parseSeed(readFileSync(v['seed-file'], 'utf8'), v['seed-file']);
  if (process.env.EDGECHAIN_GATEWAY_SEED) return parseSeed(process.env.EDGECHAIN_GATEWAY_SEED, 'EDGECHAIN_GATEWAY_SEED');
  throw new RangeError('no key: give --seed-file, --seed-hex or EDGECHAIN_GATEWAY_SEED');
}

async function main(argv: string[]): Promise<number> {
  const { values: v } = parseArgs({ args: dashboardArgv(argv), options: {
    dashboard: { type: 'string' }, 'dashboard-host': { type: 'string' },
    id: { type: 'string' }, broker: { type: 'string' }, 'data-dir': { type: 'string' }, genesis: { type: 'string' },
    'seed-file': { type: 'string' }, 'seed-hex': { type: 'string' }, rounds: { type: 'string' },
    'round-timeout-ms': { type: 'string', default: '15000' }, 'view-timeout-ms': { type: 'string' }, 'peer-wait-ms': { type: 'string', default: '30000' },
    'broker-auth': { type: 'string', default: 'none' }, ca: { type: 'string' }, 'quorum-timeout-ms': { type: 'string' },
    json: { type: 'boolean', default: false }, help: { type: 'boolean', default: false },
  } });
  if (v.help || !v.id || !v.broker || !v['data-dir'] || !v.genesis) { process.stderr.write(USAGE); return 2; }
  const json = v.json;
  const say = (event: string, x: Record<string, unknown>, text: string) => process.stdout.write(json ? JSON.stringify({ event, gw: v.id, ...x }) + '\n' : `[${v.id}] ${text}\n`);
  const dep: Deployment = readDeployment(v.genesis);
  const seed = readGatewaySeed(v);
  const rounds = v.rounds === undefined ? Infinity : Number(v.rounds);
  const quorumTimeout = v['quorum-timeout-ms'] === undefined ? undefined : Number(v['quorum-timeout-ms']);
  if (quorumTimeout !== undefined && !(quorumTimeout > 0)) { process.stderr.write('--quorum-timeout-ms must be > 0\n'); return 2; }
  let stalled = false;
  if (!(rounds >= 1)) { process.stderr.write('--rounds must be ≥ 1\n'); return 2; }
  let dashPort: number | undefined;
  try { dashPort = dashboardPort(v.dashboard); } catch (e) { process.stderr.write(`${(e as Error).message}\n`); return 2; }

  const mine = dep.genesis.managers.find((m) => m.id === v.id);
  if (!mine || toHex(mine.publicKey) !== toHex(nodeSigner(v.id, seed).publicKey)) { process.stderr.write(`the seed is not the genesis key of gateway ${v.id}\n`); return 2; }
  const initialModel = Kernel.initialModel(new FirmwareInstance(), dep.model);
  if (toHex(sha256(initialModel)) !== dep.model.hash) throw new Error('initial model hash differs from the deployment (firmware build mismatch?)');
  // every block is fsynced before it is announced (power-loss durability, ~1 ms a block)
  const ledger = await Ledger.open(resolve(v['data-dir']), { genesis: dep.genesis, sync: true });
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.on('SIGINT', onSignal); process.on('SIGTERM', onSignal);
  let node: RoundDriver | undefined;
  let hello: Awaited<ReturnType<typeof helloBarrier>> | undefined;
  let dash: Dashboard | undefined;
  try {
    // Block 1 registers the devices with every gateway's approval; importBlock re-checks it all.
    if (ledger.height < 1) await ledger.importBlock(dep.registration);
    // Every gateway evaluates on the deployment's held-out digits: the accuracy is in the block.
    const { test } = trainTestSplit(loadMnist(), 0.2, dep.data.seed);
    const evaluator = new Kernel(new FirmwareInstance());
    const creds = (id: string) => brokerOptions(v['broker-auth']!, id, dep.chain, seed, v.ca);
    const transport = await MqttTransport.connect(v.broker, v.id, { will: presenceWill(dep.task, v.id), ...creds(v.id) });
    const built = await gatewayNode({
      ...clusterNodeOptions({
        id: v.id, seed, genesis: dep.genesis, ledger, engine: dep.engine, devices: dep.devices.map((d) => d.id), settings: dep.settings,
        initialModel, rounds, roundTimeoutMs: Number(v['round-timeout-ms']), viewTimeoutMs: v['view-timeout-ms'] ? Number(v['view-timeout-ms']) : undefined,
        log: (e) => {
          // liveness status lines are always printed; the rest only when debugging
          if (e.event === 'waiting_for_quorum') {
            const { level: _l, event: _e, gw: _g, ...q } = e as unknown as QuorumStatus & { level: string; event: string; gw: string };
            say('waiting', q, `waiting for quorum at height ${q.height} (view ${q.view}): ${q.approvals.length}/${q.need} approvals${q.approvals.length ? ` (${q.approvals.join(', ')})` : ''}; silent ${q.silent.join(', ') || 'none'} for ${Math.round(q.waitedMs / 1000)} s`);
          } else if (process.env.EDGECHAIN_DEBUG) process.stderr.write(JSON.stringify(e) + '\n');
        },
        evaluate: (m) => { evaluator.load(m); const r = evaluator.evaluate(test); return { accuracy: r.accuracy, loss: r.loss }; },
        // the poisoning defence: every gateway holds the same root digits (docs/robustness.md)
        ...(dep.settings.rootTrust ? { reference: rootUpdater(decodeModel(initialModel).header, mnistRootData(dep.data.seed, dep.settings.rootData), ROOT_TRAINING) } : {}),
      }),
      transport,
      stallTimeoutMs: quorumTimeout,
      onStall: (q: QuorumStatus) => {
        process.stderr.write(`error: no quorum for ${Math.round(q.waitedMs / 1000)} s at height ${q.height}: need ${q.need} of ${q.gateways} gateways, heard ${q.heard.join(', ')}, silent ${q.silent.join(', ')}\n`);
        stalled = true; stop.abort();
      },
      onRound: (s: RoundSummary) => { dash?.round(s); say('round', { ...s }, `round ${s.round} final at height ${s.height}: ${s.accepted.length} updates, proposer ${s.proposer}, view ${s.view}, acc ${(s.accuracy ?? 0).toFixed(4)}, ${s.ms} ms`); },
    });
    node = built.driver;
    await node.listen();
    if (dashPort !== undefined) {
      const d = node;
      const bft = built.finality instanceof BftFinality ? built.finality : undefined;
      dash = await startDashboard({ ledger, port: dashPort, host: v['dashboard-host'], devices: dep.devices.map((x) => x.id), offline: () => d.state().offline, cluster: bft && (() => clusterView(v.id!, bft, ledger)) });
      say('dashboard', { url: dash.url }, `dashboard ${dash.url}`);
    }
    const peers = dep.genesis.managers.map((m) => m.id);
    hello = await helloBarrier(v.broker, dep.task, v.id, peers, Number(v['peer-wait-ms']), stop.signal, creds(`${v.id}~hello`));
    say('ready', { height: ledger.height, peers: hello.seen }, `connected to ${v.broker}; height ${ledger.height}; peers seen ${hello.seen.join(', ')}`);
    const n = node;
    stop.signal.addEventListener('abort', () => n.stop(true), { once: true });
    if (!stop.signal.aborted) {
      n.begin();
      await n.run();
    }
  } finally {
    await dash?.close();
    await node?.close();
    await node?.transport.close();
    await hello?.clear();
    const head = toHex(ledger.headHash()), height = ledger.height;
    await ledger.close();
    say('stopped', { height, head }, `stopped at height ${height}, head ${head.slice(0, 16)}…`);
    process.off('SIGINT', onSignal); process.off('SIGTERM', onSignal);
  }
  return stalled ? 3 : 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).then((c) => { process.exitCode = c; }, (e) => { process.stderr.write(`${e?.message ?? e}\n`); process.exitCode = 1; });
}

// The C board host under WAMR's classic interpreter (boards/hosts/wamr): time of one LR round
// (verify the announcement, train one epoch on a 1,107-sample MNIST shard, sign the update) against
// the Node board doing the same round, fuzz calls per second, and the WAMR memory of the round on
// x86-64 and, when gcc-multilib is installed, on 32-bit x86 (a microcontroller's pointer size).
// Each time is the best of 3 runs; the C figure includes process start and module load.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { DeviceAgent } from '../boards/agent.js';
import { boardProfile } from '../boards/profiles.js';
import { FirmwareInstance, firmwarePath } from '../boards/firmware/instance.js';
import { Kernel } from '../boards/firmware/kernel.js';
import { DeviceSigner } from '../boards/firmware/signer.js';
import { encodeDatasetFile } from '../boards/hosts/dataset-file.js';
import { decodeAnnouncement } from '../protocol/announcement.js';
import { ed25519FromSeed, demoSeed } from '../protocol/keys.js';
import { loadMnist, subset } from '../boards/data/mnist.js';
import { trainTestSplit } from '../boards/data/split.js';
import { partition } from '../boards/data/partition.js';
import { buildWamrHost, REPO } from '../test/support/wamr.js';
import { tempDir } from '../test/support/tmp.js';
import { certified, oneGatewayTrust } from '../test/support/announce.js';

type Log = (line: string) => void;
const best = (f: () => number) => Math.min(f(), f(), f());

export default {
  name: 'wamr',
  async run(log: Log) {
    const json: Record<string, number | string> = {};
    const rows: [string, string, string][] = [];
    const host = buildWamrHost();
    if (!host) { json.wamr_skipped = 'WAMR or a C toolchain missing'; return { rows: [['skipped', 'no WAMR host', '']], json }; }
    const tmp = tempDir('bench-wamr-');
    try {
      const seed = 4, id = 'dev-00001', gw = { id: 'gw-0', ...ed25519FromSeed(demoSeed('gateway', seed)) };
      const { train } = trainTestSplit(loadMnist(), 0.2, seed);
      const data = subset(train, partition(train, 4, { kind: 'dirichlet', alpha: 0.5 }, seed)[1]);
      writeFileSync(join(tmp.dir, 'd.efds'), encodeDatasetFile(data));
      writeFileSync(join(tmp.dir, 'k.seed'), Buffer.from(demoSeed(id, seed)).toString('hex'));
      const model = Kernel.initialModel(new FirmwareInstance(), { arch: 'logreg', inputs: 784, outputs: 10, seed });
      const ann = certified(gw, { task: 'mnist-lr', round: 1, model, done: false });
      writeFileSync(join(tmp.dir, 'a.cose'), ann);
      const args = ['round', '--wasm', firmwarePath('release'), '--global', join(tmp.dir, 'a.cose'), '--out', join(tmp.dir, 'u.cose'), '--data', join(tmp.dir, 'd.efds'),
        '--id', id, '--key-file', join(tmp.dir, 'k.seed'), '--gateway-key', Buffer.from(gw.publicRaw).toString('hex'), '--train-seed', String(seed * 1000 + 1)];
      let out: any;
      log(`  LR round (${data.n} samples) under WAMR`);
      json.wamr_round_ms = best(() => {
        const t0 = performance.now();
        const r = spawnSync(host.tool, args, { cwd: REPO, encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`fw-tool round failed: ${r.stderr}`);
        out = JSON.parse(r.stdout.trim());
        return performance.now() - t0;
      });
      json.node_round_ms = best(() => {
        const a = new DeviceAgent({ id, task: 'mnist-lr', profile: boardProfile('emulated'), data, trust: oneGatewayTrust(gw),
          train: { epochs: 1, batch: 32, lr: 0.5, seed: seed * 1000 + 1 }, signer: (fw) => { const s = new DeviceSigner(fw); s.provision(demoSeed(id, seed)); return s; } });
        const t0 = performance.now();
        const g = decodeAnnouncement(ann, oneGatewayTrust(gw), 1 << 22);
        a.trainRound(g.round, g.model, g.hash);
        return performance.now() - t0;
      });
      const m = out.memory;
      json.wamr_pool_peak_bytes = m.pool_peak;
      json.wamr_linear_memory_bytes = m.linear_memory;
      json.wamr_total_peak_bytes = m.total_peak;
      json.wamr_wasm_stack_peak_bytes = m.wasm_stack_peak;
      log('  fuzz 200,000 calls under WAMR');
      const f = spawnSync(host.tool, ['fuzz', '--wasm', firmwarePath('release'), '--calls', '200000', '--batch', '100000', '--seed', '1', '--max-pages', '2'], { cwd: REPO, encoding: 'utf8' });
      const fz = JSON.parse(f.stdout.trim());
      json.wamr_fuzz_calls_per_s = Math.round(fz.calls / fz.seconds);
      const h32 = buildWamrHost({ m32: true });
      if (h32) {
        const r = spawnSync(h32.tool, args, { cwd: REPO, encoding: 'utf8' });
        const m32 = JSON.parse(r.stdout.trim()).memory;
        json.wamr_i386_pool_peak_bytes = m32.pool_peak;
        json.wamr_i386_total_peak_bytes = m32.total_peak;
      }
    } finally { tmp.cleanup(); }
    const r = (label: string, key: string, unit: string) => rows.push([label, json[key] === undefined ? '—' : String(typeof json[key] === 'number' ? Math.round(json[key] as number) : json[key]), unit]);
    r('LR round under WAMR (classic interpreter)', 'wamr_round_ms', 'ms');
    r('same round, Node board', 'node_round_ms', 'ms');
    r('fuzz calls under WAMR', 'wamr_fuzz_calls_per_s', 'calls/s');
    r('pool peak (x86-64)', 'wamr_pool_peak_bytes', 'bytes');
    r('pool + linear memory (x86-64)', 'wamr_total_peak_bytes', 'bytes');
    r('pool peak (i386)', 'wamr_i386_pool_peak_bytes', 'bytes');
    r('pool + linear memory (i386)', 'wamr_i386_total_peak_bytes', 'bytes');
    r('wasm stack peak', 'wamr_wasm_stack_peak_bytes', 'bytes');
    return { rows, json };
  },
};

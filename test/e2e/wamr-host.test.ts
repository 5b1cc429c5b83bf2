// The C board host under WAMR's classic interpreter (boards/hosts/wamr, fw-tool round): for the
// same seed, data and model its update is byte-identical to the Node board's (boards/agent.ts);
// it runs with app heap 0 and an 8 KiB stack, refuses a runtime app heap, refuses a forged
// announcement, and its total WAMR memory for the LR model (pool peak + linear memory) is
// ≤ 100 KiB (one page of linear memory) when built with a microcontroller's 32-bit pointers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeviceAgent } from '../../boards/agent.js';
import { boardProfile } from '../../boards/profiles.js';
import { FirmwareInstance } from '../../boards/firmware/instance.js';
import { Kernel } from '../../boards/firmware/kernel.js';
import { DeviceSigner } from '../../boards/firmware/signer.js';
import { encodeDatasetFile } from '../../boards/hosts/dataset-file.js';
import { decodeAnnouncement } from '../../protocol/announcement.js';
import { parseSign1 } from '../../protocol/cose.js';
import { decodeUpdate } from '../../protocol/update.js';
import { ed25519FromSeed, demoSeed } from '../../protocol/keys.js';
import { deviceId } from '../../protocol/ids.js';
import { loadMnist, subset } from '../../boards/data/mnist.js';
import { trainTestSplit } from '../../boards/data/split.js';
import { partition } from '../../boards/data/partition.js';
import { buildWamrHost, fwTool, type WamrHost } from '../support/wamr.js';
import { tempDir } from '../support/tmp.js';
import { certified, oneGatewayTrust } from '../support/announce.js';

const SEED = 4, TASK = 'mnist-lr', KIB = 1024;
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const gw = { id: 'gw-0', ...ed25519FromSeed(demoSeed('gateway', SEED)) };

/** One board's files (dataset, key) and the Node agent with the same identity. */
function board(dir: string, i: number, arch: 'logreg' | 'mlp') {
  const { train } = trainTestSplit(loadMnist(), 0.2, SEED);
  const shards = partition(train, 4, { kind: 'dirichlet', alpha: 0.5 }, SEED);
  const id = deviceId(i), data = subset(train, shards[i]);
  const files = { data: join(dir, `${id}.efds`), key: join(dir, `${id}.seed`) };
  writeFileSync(files.data, encodeDatasetFile(data));
  writeFileSync(files.key, hex(demoSeed(id, SEED)) + '\n');
  const agent = new DeviceAgent({
    id, task: TASK, profile: boardProfile('emulated'), data, trust: oneGatewayTrust(gw),
    train: { epochs: 2, batch: 32, lr: 0.5, seed: SEED * 1000 + i },
    signer: (fw) => { const s = new DeviceSigner(fw); s.provision(demoSeed(id, SEED)); return s; },
  });
  const fw = new FirmwareInstance();
  const initial = Kernel.initialModel(fw, arch === 'mlp' ? { arch, inputs: 784, hidden: 32, outputs: 10, seed: SEED } : { arch, inputs: 784, outputs: 10, seed: SEED });
  const args = (ann: string, out: string, ctr = 0) => ['round', '--global', ann, '--out', out, '--data', files.data, '--id', id, '--key-file', files.key,
    '--gateway-key', hex(gw.publicRaw), '--task', TASK, '--epochs', '2', '--batch', '32', '--lr', '0.5', '--train-seed', String(SEED * 1000 + i), '--ctr', String(ctr)];
  return { id, agent, initial, args };
}

function announce(dir: string, round: number, model: Uint8Array): { file: string; msg: Uint8Array } {
  const msg = certified(gw, { task: TASK, round, model, done: false });
  const file = join(dir, `global-${round}.cose`);
  writeFileSync(file, msg);
  return { file, msg };
}

let host: WamrHost | undefined | null = null;
const wamr = () => (host === null ? (host = buildWamrHost()) : host);

test('the C host\'s update is byte-identical to the Node board\'s, round after round (LR and MLP)', (t) => {
  const h = wamr();
  if (!h) { t.skip('WAMR host not built'); return; }
  const tmp = tempDir('wamr-host-');
  try {
    for (const [arch, i] of [['logreg', 1], ['mlp', 2]] as const) {
      const b = board(tmp.dir, i, arch);
      let model = b.initial;
      for (let round = 1; round <= 2; round++) {
        const a = announce(tmp.dir, round, model);
        const g = decodeAnnouncement(a.msg, oneGatewayTrust(gw), 1 << 22);
        const mine = b.agent.trainRound(round, g.model, g.hash);
        const out = join(tmp.dir, `${b.id}-${round}.cose`);
        const r = fwTool(h, b.args(a.file, out, round - 1));
        assert.equal(r.status, 0, r.stderr + JSON.stringify(r.out));
        assert.equal(r.out.round, round);
        const theirs = readFileSync(out);
        assert.equal(theirs.length, mine.length);
        assert.ok(Buffer.from(mine).equals(theirs), `${arch} round ${round}: the C host's update differs from the Node board's`);
        t.diagnostic(`${arch} round ${round}: ${theirs.length} B identical, loss ${r.out.loss}, memory ${JSON.stringify(r.out.memory)}`);
        // the next round starts from this board's model, as if it were the aggregate
        model = decodeUpdate(parseSign1(mine, 1 << 22).payload, 1 << 22).model;
      }
    }
  } finally { tmp.cleanup(); }
});

test('a forged or tampered announcement is rejected by the C host', (t) => {
  const h = wamr();
  if (!h) { t.skip('WAMR host not built'); return; }
  const tmp = tempDir('wamr-host-');
  try {
    const b = board(tmp.dir, 0, 'logreg');
    const forged = certified(gw, { task: TASK, round: 1, model: b.initial, done: false }, ed25519FromSeed(new Uint8Array(32).fill(1)).privateKey);
    writeFileSync(join(tmp.dir, 'forged.cose'), forged);
    const r = fwTool(h, b.args(join(tmp.dir, 'forged.cose'), join(tmp.dir, 'x.cose')));
    assert.equal(r.status, 1);
    assert.equal(r.out.result, -1);
    assert.match(r.out.error, /E_BAD_SIG/);
    const a = announce(tmp.dir, 1, b.initial);
    const cut = a.msg.subarray(0, a.msg.length - 10);
    writeFileSync(join(tmp.dir, 'cut.cose'), cut);
    const c = fwTool(h, b.args(join(tmp.dir, 'cut.cose'), join(tmp.dir, 'x.cose')));
    assert.match(c.out.error, /E_BAD_MSG/);
  } finally { tmp.cleanup(); }
});

test('app heap 0 is required: WAMR with an app heap gets E_HOST_HEAP, heap 0 the Node digest', (t) => {
  const h = wamr();
  if (!h) { t.skip('WAMR host not built'); return; }
  const node = new FirmwareInstance().exports.kernel_selftest() >>> 0;
  const ok = fwTool(h, ['selftest']);
  assert.equal(ok.out.digest, node);
  assert.ok(ok.out.stream_ptr > 0);
  for (const heap of [1024, 16384, 65536]) {
    const bad = fwTool(h, ['selftest', '--heap-size', String(heap)]);
    assert.equal(bad.out.stream_ptr, -11, `heap ${heap}`);
    assert.equal(bad.out.digest, 0);
  }
});

test('memory under WAMR: 8 KiB stack, LR total (pool peak + linear memory) ≤ 100 KiB on 32 bits', (t) => {
  const h = wamr();
  if (!h) { t.skip('WAMR host not built'); return; }
  const tmp = tempDir('wamr-mem-');
  try {
    const b = board(tmp.dir, 1, 'logreg');
    const a = announce(tmp.dir, 1, b.initial);
    const r64 = fwTool(h, b.args(a.file, join(tmp.dir, 'u64.cose')));
    assert.equal(r64.status, 0, r64.stderr);
    const m64 = r64.out.memory;
    t.diagnostic(`x86-64: ${JSON.stringify(m64)}`);
    assert.equal(m64.wasm_stack_size, 8 * KIB);
    assert.ok(m64.wasm_stack_peak > 0 && m64.wasm_stack_peak < m64.wasm_stack_size, `stack peak ${m64.wasm_stack_peak}`);
    assert.equal(m64.linear_memory, 64 * KIB, 'LR model + announcement + streamed update fit one page');
    const h32 = buildWamrHost({ m32: true });
    if (!h32) { t.skip('no 32-bit build'); return; }
    const r32 = fwTool(h32, b.args(a.file, join(tmp.dir, 'u32.cose')));
    assert.equal(r32.status, 0, r32.stderr);
    assert.ok(readFileSync(join(tmp.dir, 'u32.cose')).equals(readFileSync(join(tmp.dir, 'u64.cose'))), '32- and 64-bit hosts build the same update');
    const m32 = r32.out.memory;
    t.diagnostic(`i386: ${JSON.stringify(m32)}`);
    assert.equal(m32.pool_peak, m32.pool_runtime + m32.pool_module + m32.pool_instance + m32.pool_exec_env, 'the round allocates nothing in the pool');
    assert.ok(m32.total_peak <= 100 * KIB, `total ${m32.total_peak} B > 100 KiB`);
    assert.equal(m32.total_peak, m32.pool_peak + m32.linear_memory);
  } finally { tmp.cleanup(); }
});

test('the C host refuses a truncated or foreign dataset file with a clear message', (t) => {
  const h = wamr();
  if (!h) { t.skip('WAMR host not built'); return; }
  const tmp = tempDir('wamr-ds-');
  try {
    const b = board(tmp.dir, 3, 'logreg');
    const a = announce(tmp.dir, 1, b.initial);
    const file = join(tmp.dir, 'dev-00003.efds');
    const good = readFileSync(file);
    for (const [bytes, msg] of [[good.subarray(0, good.length - 1), /bytes, header says/], [Buffer.from('EFDX' + 'x'.repeat(40)), /not an EFDS v1/], [good.subarray(0, 7), /truncated header/]] as const) {
      writeFileSync(file, bytes);
      const r = fwTool(h, b.args(a.file, join(tmp.dir, 'x.cose')));
      assert.equal(r.status, 1);
      assert.match(r.stderr, msg);
    }
  } finally { tmp.cleanup(); }
});

// Cross-runtime self-test (issue 3 §6): the no-argument `kernel_selftest` export must return
// the same digest under Node's V8 and under wabt's independent interpreter `wasm-interp`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { FirmwareInstance, firmwarePath } from '../boards/firmware/instance.js';

const CI = process.env.CI === 'true';
const node = (variant: string) => (new FirmwareInstance(undefined, variant).exports.kernel_selftest() as number) >>> 0;

test('self-test digest is identical on every build variant under Node', () => {
  const d = node('release');
  assert.notEqual(d, 0, 'self-test reported a failure');
  assert.equal(node('debug'), d);
  assert.equal(node('simd'), d);
});

test('self-test digest under wabt wasm-interp equals the Node digest', (t) => {
  const probe = spawnSync('wasm-interp', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    if (CI) assert.fail('wasm-interp (Debian package wabt) is required under CI=true');
    process.stderr.write('\n*** SKIPPED: wasm-interp not installed (apt-get install wabt) ***\n\n');
    t.skip('wasm-interp not installed');
    return;
  }
  for (const variant of ['release', 'simd']) {
    // wasm-interp can only run all argument-free exports; imports get dummy implementations
    // (the self-test calls none of them).
    const r = spawnSync('wasm-interp', [firmwarePath(variant), '--dummy-import-func', '--run-all-exports'], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    const m = /kernel_selftest\(\) => i32:(\d+)/.exec(r.stdout);
    assert.ok(m, `no self-test line in wasm-interp output:\n${r.stdout}`);
    assert.equal(Number(m[1]) >>> 0, node(variant), variant);
  }
});

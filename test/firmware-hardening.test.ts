// Firmware hardening for C hosts (docs/firmware-abi.md, Memory and Conventions): a host pointer
// may only address the stream, so no argument can overwrite the static data, tables or model;
// a runtime that put an app heap into linear memory is detected (E_HOST_HEAP); the release
// module imports only host_entropy and stays within 32 KiB.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { FirmwareInstance, firmwarePath } from '../boards/firmware/instance.js';

const E_BAD_LENGTH = -4, E_HOST_HEAP = -11;
const digestBelow = (fw: FirmwareInstance, end: number) => createHash('sha256').update(fw.bytes(0, end)).digest('hex');

test('the issue case: dp_random(255, 40525) then kernel_conf_fc does not trap', () => {
  const fw = new FirmwareInstance();
  const x = fw.exports;
  x.dp_seed_entropy();
  assert.equal(x.dp_random(255, 40525), E_BAD_LENGTH);
  assert.doesNotThrow(() => x.kernel_conf_fc(1, 1, 1, 0, 0, -128, 127));
  assert.equal(x.kernel_selftest() >>> 0, new FirmwareInstance().exports.kernel_selftest() >>> 0);
});

test('pointer exports refuse ranges outside the stream and leave firmware memory untouched', () => {
  const fw = new FirmwareInstance();
  const x = fw.exports;
  x.ed25519_provision(x.crypto_buf(32), 32);
  x.kernel_init(0, 784, 0, 10, 1);
  const base: number = x.kernel_stream_ptr();
  const p: number = x.crypto_buf(4096);
  assert.equal(p, base);
  const end = base + x.kernel_stream_cap();
  const before = digestBelow(fw, base);
  // one address in the static data, one in the model, one straddling the stream's start, one past its end
  for (const q of [8, (x.__heap_base.value as number) + 100, base - 16, end - 8]) {
    const calls: Record<string, () => number> = {
      sha256: () => x.sha256(q, 64), sha512: () => x.sha512(q, 64),
      ed25519_provision: () => x.ed25519_provision(q, 32), ed25519_sign: () => x.ed25519_sign(q, 64),
      ed25519_verify_pk: () => x.ed25519_verify(q, 32, p, 8, p, 64), ed25519_verify_sig: () => x.ed25519_verify(p, 32, p, 8, q, 64),
      ed25519_verify_msg: () => x.ed25519_verify(p, 32, q, 64, p, 64), cose_sign_update: () => x.cose_sign_update(q, 200),
      cose_verify_global: () => x.cose_verify_global(q, 200, p), cose_verify_global_pk: () => x.cose_verify_global(p, 200, q),
      dp_seed: () => x.dp_seed(q, 32), dp_privatize: () => x.dp_privatize(q & ~3, 16, 100, 1000),
      dp_laplace: () => x.dp_laplace(q & ~3, 16, 10, 1), dp_random: () => x.dp_random(q, 64),
    };
    for (const [name, f] of Object.entries(calls)) assert.equal(f(), E_BAD_LENGTH, `${name} at ${q}`);
  }
  assert.equal(digestBelow(fw, base), before, 'static data, tables or model changed');
  // the same calls inside the stream work
  assert.equal(x.sha256(p, 64), 32);
  assert.equal(x.dp_random(p + 3, 13), 0);
});

test('a runtime app heap in linear memory is refused with E_HOST_HEAP', () => {
  // WAMR with heap size > 0 appends its heap after the module's page: the firmware sees more
  // memory than it declared before its first layout. Emulated here by growing first.
  const fw = new FirmwareInstance();
  const x = fw.exports;
  fw.memory.grow(1);
  assert.equal(x.kernel_stream_ptr(), E_HOST_HEAP);
  assert.equal(x.kernel_stream_reserve(100), E_HOST_HEAP);
  assert.equal(x.kernel_init(0, 784, 0, 10, 1), E_HOST_HEAP);
  assert.equal(x.kernel_load(100), E_HOST_HEAP);
  assert.equal(x.crypto_buf(32), 0);
  assert.equal(x.kernel_selftest(), 0);
  // a fresh instance is fine, and the firmware's own growth later is not mistaken for a heap
  const ok = new FirmwareInstance().exports;
  assert.ok(ok.kernel_stream_ptr() > 0);
  assert.ok(ok.kernel_stream_reserve(200_000) > 0);
  assert.equal(ok.kernel_init(1, 784, 32, 10, 1), 0);
});

test('the release module imports only env.host_entropy and stays within 32 KiB', () => {
  const wasm = readFileSync(firmwarePath('release'));
  const imports = WebAssembly.Module.imports(new WebAssembly.Module(wasm));
  assert.deepEqual(imports, [{ module: 'env', name: 'host_entropy', kind: 'function' }]);
  assert.ok(statSync(firmwarePath('release')).size <= 32 * 1024, `release.wasm is ${wasm.length} B`);
  const tables = WebAssembly.Module.exports(new WebAssembly.Module(wasm)).filter((e) => e.kind === 'table');
  assert.equal(tables.length, 0);
});

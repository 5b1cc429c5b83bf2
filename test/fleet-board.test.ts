// An emulated fleet board's firmware memory is a bound: sized by the firmware's own need for the
// task's model (boardPages), enforced by the module's declared maximum (pages.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Board, boardPages, type BoardOptions } from '../sim/fleet/board.js';
import { Kernel, type Dataset, type ModelSpec } from '../boards/firmware/kernel.js';
import { FirmwareInstance } from '../boards/firmware/instance.js';
import { withMaxPages, WASM_PAGE } from '../boards/firmware/pages.js';
import { FirmwareError } from '../protocol/firmware-error.js';
import { decodeModel } from '../protocol/model-blob.js';
import { sha256 } from '../protocol/bytes.js';

function digits(n: number, seed: number): Dataset {
  const x = new Uint8Array(n * 784), y = new Uint8Array(n);
  let s = seed;
  for (let i = 0; i < x.length; i++) { s = (Math.imul(s, 1103515245) + 12345) >>> 0; x[i] = (s >>> 24) & 0xff; }
  for (let i = 0; i < n; i++) y[i] = i % 10;
  return { n, dim: 784, x, y, classes: 10 };
}

const LR: ModelSpec = { arch: 'logreg', inputs: 784, outputs: 10, seed: 3 };
const opts = (data: Dataset, maxPages?: number): BoardOptions => ({ index: 4, task: 'mnist', seed: 1, variant: 'release', data, train: { batch: 8, lr: 0.5 }, maxPages });

test('the MNIST LR model needs one 64 KiB page per board (the memory the fleet holds per board)', () => {
  assert.equal(boardPages(opts(digits(20, 1)), LR), 1);
  // a large shard streams in chunks sized to the page's room: it needs no more memory than a small one
  assert.equal(boardPages(opts(digits(200, 2)), LR), 1);
  // a larger model needs more
  assert.ok(boardPages(opts(digits(20, 1)), { arch: 'mlp', inputs: 784, hidden: 32, outputs: 10, seed: 3 }) > 1);
});

test('a capped board trains, scores and signs within its pages, and cannot grow past them', () => {
  const data = digits(100, 5);
  const pages = boardPages(opts(data), LR);
  const b = new Board(opts(data, pages));
  assert.equal(b.fw.memoryLimit, pages * WASM_PAGE);
  const blob = Kernel.initialModel(new FirmwareInstance(), LR);
  const { header, params } = decodeModel(blob);
  const g = { round: 1, blob, hash: sha256(blob), header, params };
  const t = b.trainHonest(g, 2);
  assert.ok(b.score(blob) >= 0);
  assert.ok(b.sign(g, t.params, t.loss).length > blob.length);
  assert.ok(b.wasmBytes <= pages * WASM_PAGE);
  const free = pages - b.wasmBytes / WASM_PAGE;
  assert.throws(() => b.fw.memory.grow(free + 1), RangeError);
});

test('a board given less memory than its model needs fails loudly, not silently', () => {
  const b = new Board(opts(digits(20, 1), 1));
  const blob = Kernel.initialModel(new FirmwareInstance(), { arch: 'mlp', inputs: 784, hidden: 32, outputs: 10, seed: 3 });
  assert.throws(() => b.kernel.load(blob), (e: unknown) => e instanceof FirmwareError && /too large|E_TOO_LARGE/i.test(String(e)));
});

test('withMaxPages refuses a maximum below the initial size and bad limits', () => {
  const wasm = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 5, 3, 1, 0, 2]); // one memory, min 2
  assert.throws(() => withMaxPages(wasm, 1), /initially/);
  assert.throws(() => withMaxPages(wasm, 0), RangeError);
  const m = new WebAssembly.Module(withMaxPages(wasm, 3));
  assert.deepEqual(WebAssembly.Module.exports(m), []);
  assert.throws(() => withMaxPages(wasm.subarray(0, 8), 2), /no memory section/);
});

test('an honest board signs the blob its firmware exported: the same bytes as decoding it to params and encoding them again', () => {
  const data = digits(40, 7);
  const blob = Kernel.initialModel(new FirmwareInstance(), LR);
  const { header, params } = decodeModel(blob);
  const g = { round: 3, blob, hash: sha256(blob), header, params };
  const fast = new Board(opts(data)), slow = new Board(opts(data));
  for (let k = 0; k < 2; k++) {
    const a = fast.update(g, 2, 10, 0);
    const p = slow.produce(g, 2, 10, 0);
    assert.deepEqual(a, slow.sign(g, p.params, p.loss), `update ${k + 1}`);
  }
  // with DP the params are noised first (the general path): still the same bytes as produce + sign
  const dpo = { ...opts(data), dp: { epsilon: 1, clipL1: 100_000 } };
  const dpA = new Board(dpo), dpB = new Board(dpo);
  const p = dpB.produce(g, 1, 10, 0);
  assert.deepEqual(dpA.update(g, 1, 10, 0), dpB.sign(g, p.params, p.loss));
});

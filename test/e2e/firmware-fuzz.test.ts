// Fuzzing of every firmware export (docs/firmware-abi.md, "Fuzzing"): 10^6 random calls under
// Node (V8) and under WAMR's classic interpreter (fw-tool fuzz, boards/hosts/wamr/fuzz.c), with
// the same generator: no call may trap, kernel_selftest must return a fresh instance's digest
// after every batch of 10^5 calls, and both engines must agree on the digest of all results.
// The calls are split in two shards (seeds 1 and 2, a fresh instance each) so that the two WAMR
// processes use both cores; the interpreter needs about 25 s per 10^6 calls on one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { firmwarePath } from '../../boards/firmware/instance.js';
import { fuzzNode, withMaxPages, type FuzzResult } from '../support/firmware-fuzz.js';
import { buildWamrHost, REPO } from '../support/wamr.js';

const CALLS = 1_000_000, BATCH = 100_000, SEEDS = [1, 2], MAX_PAGES = 2;
const PER_SHARD = CALLS / SEEDS.length;

function wamrFuzz(tool: string, seed: number): Promise<FuzzResult> {
  return new Promise((res, rej) => {
    const c = spawn(tool, ['fuzz', '--wasm', firmwarePath('release'), '--calls', String(PER_SHARD), '--batch', String(BATCH),
      '--seed', String(seed), '--max-pages', String(MAX_PAGES)], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    c.stdout.on('data', (d) => (out += d));
    c.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => c.kill('SIGKILL'), 240_000); // bounded in time
    c.on('exit', (code) => {
      clearTimeout(timer);
      try { res(JSON.parse(out.trim().split('\n').pop()!)); } catch { rej(new Error(`fw-tool fuzz exited ${code}: ${out}${err}`)); }
    });
  });
}

test('withMaxPages sets the memory maximum the module declares', () => {
  const m = new WebAssembly.Module(withMaxPages(readFileSync(firmwarePath('release')), 3));
  const mem = new WebAssembly.Instance(m, { env: { host_entropy: () => 0 } }).exports.memory as WebAssembly.Memory;
  assert.equal(mem.grow(2), 1);
  assert.throws(() => mem.grow(1), RangeError);
});

test('10^6 random export calls: no trap, healthy self-test, same results under Node and WAMR', async (t) => {
  const host = buildWamrHost();
  const wamr = host ? SEEDS.map((seed) => wamrFuzz(host.tool, seed)) : undefined; // beside the Node fuzz
  const wasm = readFileSync(firmwarePath('release'));
  const functions = WebAssembly.Module.exports(new WebAssembly.Module(wasm)).filter((e) => e.kind === 'function').length;
  const node = SEEDS.map((seed) => fuzzNode({ wasm, calls: PER_SHARD, batch: BATCH, seed, maxPages: MAX_PAGES }));
  for (const r of node) t.diagnostic(`node: ${JSON.stringify(r)}`);
  assert.equal(node.reduce((s, r) => s + r.calls, 0), CALLS);
  for (const r of node) {
    assert.equal(r.exports, functions - 1, 'every export but kernel_selftest (called after each batch)');
    assert.equal(r.traps, 0, r.first_trap);
    assert.equal(r.selftests, PER_SHARD / BATCH);
    assert.equal(r.unhealthy, 0);
  }
  if (!wamr) { t.skip('WAMR host not built'); return; }
  const w = await Promise.all(wamr);
  for (const r of w) t.diagnostic(`wamr: ${JSON.stringify(r)}`);
  assert.equal(w.reduce((s, r) => s + r.calls, 0), CALLS);
  for (let i = 0; i < SEEDS.length; i++) {
    assert.equal(w[i].engine, 'wamr-classic');
    assert.equal(w[i].exports, node[i].exports);
    assert.equal(w[i].traps, 0, w[i].first_trap);
    assert.equal(w[i].selftests, PER_SHARD / BATCH);
    assert.equal(w[i].unhealthy, 0);
    assert.equal(w[i].healthy_digest, node[i].healthy_digest);
    assert.equal(w[i].digest, node[i].digest, `seed ${SEEDS[i]}: the engines returned different results for the same calls`);
    assert.equal(w[i].memory_bytes, node[i].memory_bytes);
  }
});

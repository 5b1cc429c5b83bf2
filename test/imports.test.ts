// The import graph points one way (docs/architecture.md §Layers):
//   protocol ← boards ← gateway (ledger ← consensus ← round/finality/node) ← sim ← bench/test,
// with no file cycles. A board process depends only on boards/ and protocol/. Fails on any
// import that runs the wrong way or closes a cycle, naming it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { join, dirname, resolve, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TOPS = ['protocol', 'boards', 'gateway', 'sim', 'bench', 'test'];

/** What each layer may import (by path prefix); more specific prefixes first. */
const ALLOWED: [string, string[]][] = [
  ['protocol/', ['protocol/']],
  ['boards/', ['protocol/', 'boards/']],
  ['gateway/ledger/', ['protocol/', 'gateway/ledger/']],
  ['gateway/aggregate/', ['protocol/', 'gateway/aggregate/']],
  ['gateway/consensus/', ['protocol/', 'gateway/ledger/', 'gateway/aggregate/', 'gateway/consensus/']],
  ['gateway/', ['protocol/', 'boards/', 'gateway/']],
  ['sim/', ['protocol/', 'boards/', 'gateway/', 'sim/']],
  ['bench/', ['protocol/', 'boards/', 'gateway/', 'sim/', 'bench/', 'test/']],   // bench reuses the tests' reference models
  ['test/', ['protocol/', 'boards/', 'gateway/', 'sim/', 'bench/', 'test/']],
];

function sources(): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) { if (!['node_modules', 'build', 'results', 'scenarios'].includes(n)) walk(p); }
      else if (p.endsWith('.ts') && !p.endsWith('.d.ts')) out.push(p);
    }
  };
  for (const t of TOPS) if (existsSync(join(root, t))) walk(join(root, t));
  return out;
}

function graph(): Map<string, string[]> {
  const re = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)/g;
  const g = new Map<string, string[]>();
  for (const f of sources()) {
    const deps: string[] = [];
    for (const m of readFileSync(f, 'utf8').matchAll(re)) {
      const spec = m[1] ?? m[2];
      if (!spec.startsWith('.')) continue;
      let t = resolve(dirname(f), spec).replace(/\.js$/, '.ts');
      if (!existsSync(t) && existsSync(t.replace(/\.ts$/, '/index.ts'))) t = t.replace(/\.ts$/, '/index.ts');
      if (existsSync(t)) deps.push(relative(root, t));
    }
    g.set(relative(root, f), deps);
  }
  return g;
}

test('imports point one way between layers', () => {
  const g = graph();
  assert.ok(g.size > 100, `found only ${g.size} sources`);
  const bad: string[] = [];
  for (const [f, deps] of g) {
    const allowed = ALLOWED.find(([p]) => f.startsWith(p))?.[1];
    assert.ok(allowed, `${f} is in no layer`);
    for (const d of deps) if (!allowed.some((p) => d.startsWith(p))) bad.push(`${f} -> ${d}`);
  }
  assert.deepEqual(bad, [], 'upward imports');
});

test('no import cycles between files', () => {
  const g = graph();
  const state = new Map<string, 1 | 2>();
  const cycles: string[] = [];
  const visit = (f: string, path: string[]) => {
    state.set(f, 1);
    for (const d of g.get(f) ?? []) {
      if (state.get(d) === 1) cycles.push([...path.slice(path.indexOf(d)), d].join(' -> '));
      else if (!state.has(d)) visit(d, [...path, d]);
    }
    state.set(f, 2);
  };
  for (const f of g.keys()) if (!state.has(f)) visit(f, [f]);
  assert.deepEqual(cycles, []);
});

test('the checker sees an upward import (it can fail)', () => {
  const f = 'boards/x.ts', d = 'gateway/node.ts';
  const allowed = ALLOWED.find(([p]) => f.startsWith(p))![1];
  assert.equal(allowed.some((p) => d.startsWith(p)), false);
});

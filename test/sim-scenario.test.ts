// Scenario format: defaults, typed errors naming the field, YAML = JSON, variants × sweep.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { validateScenario, ScenarioError } from '../sim/scenario/schema.js';
import { parseScenario, loadScenario } from '../sim/scenario/load.js';
import { expandScenario } from '../sim/scenario/expand.js';

test('defaults fill a minimal scenario', () => {
  const s = validateScenario({ name: 'x' });
  assert.equal(s.devices.count, 10);
  assert.equal(s.aggregation.rule, 'fedavg');
  assert.equal(s.consensus.engine, 'none');
  assert.deepEqual(s.dataset.partition, { kind: 'dirichlet', alpha: 0.5 });
  assert.equal(s.train.lr, 0.5);
});

test('errors name the bad field', () => {
  const bad: [unknown, string][] = [
    [{ name: 'x', devices: { count: 0 } }, 'devices.count'],
    [{ name: 'x', attackers: [{ type: 'nope', fraction: 0.1 }] }, 'attackers[0].type'],
    [{ name: 'x', attackers: [{ type: 'gaussian', fraction: 1.5 }] }, 'attackers[0].fraction'],
    [{ name: 'x', aggregation: { rule: 'mean' } }, 'aggregation.rule'],
    [{ name: 'x', devices: { board: 'arduino' } }, 'devices.board'],
    [{ name: 'x', typo: 1 }, 'typo'],
    [{ name: 'bad name!' }, 'name'],
    [{ name: 'x', gateways: { count: 2 } }, 'gateways.count'],
  ];
  for (const [raw, path] of bad) {
    assert.throws(() => validateScenario(raw), (e: unknown) => e instanceof ScenarioError && e.path === path, path);
  }
});

test('YAML and JSON give the same scenario; bad text is a ScenarioError', () => {
  const y = parseScenario('name: a\ndevices: { count: 12 }\nattackers: [ { type: sign-flip, fraction: 0.25 } ]\n', 'yaml');
  const j = parseScenario('{"name":"a","devices":{"count":12},"attackers":[{"type":"sign-flip","fraction":0.25}]}', 'json');
  assert.deepEqual(y, j);
  assert.throws(() => parseScenario('{', 'json'), ScenarioError);
  assert.throws(() => parseScenario('a: [', 'yaml'), ScenarioError);
});

test('variants × sweep expand in order and re-validate each point', () => {
  const s = validateScenario({
    name: 'x', variants: [{ label: 'a', set: {} }, { label: 'b', set: { 'consensus.engine': 'committee' } }],
    sweep: { 'attackers.0.fraction': [0, 0.2] }, attackers: [{ type: 'gaussian', fraction: 0 }],
  });
  const runs = expandScenario(s);
  assert.deepEqual(runs.map((r) => [r.label, r.scenario.attackers[0].fraction, r.scenario.consensus.engine]),
    [['a', 0, 'none'], ['a', 0.2, 'none'], ['b', 0, 'committee'], ['b', 0.2, 'committee']]);
  const bad = validateScenario({ name: 'x', sweep: { 'devices.count': [-1] } });
  assert.throws(() => expandScenario(bad), (e: unknown) => e instanceof ScenarioError && e.path === 'devices.count');
});

test('every shipped scenario loads and expands', () => {
  const dir = join('sim', 'scenarios');
  for (const f of readdirSync(dir)) {
    const s = loadScenario(join(dir, f));
    assert.ok(expandScenario(s).length >= 1, f);
  }
});

test('model.rounding: double by default, single on request, anything else names the field', () => {
  assert.equal(validateScenario({ name: 'x' }).model.rounding, 'double');
  assert.equal(validateScenario({ name: 'x', model: { arch: 'mlp', rounding: 'single' } }).model.rounding, 'single');
  assert.throws(() => validateScenario({ name: 'x', model: { rounding: 'half' } }), (e: unknown) => e instanceof ScenarioError && /model\.rounding/.test(e.message));
});

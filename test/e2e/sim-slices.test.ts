// The fleet as several processes against one broker (sim/fleet/slice.ts, docs/simulator.md
// §Several processes): a gateway process and two board processes, each holding half the boards
// on its own worker thread, connected only through an MQTT broker. Every board's update is
// admitted in every round, and the split fleet learns exactly what the same scenario learns in
// one process (everything derives from the seed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmbeddedBroker } from '../../gateway/broker.js';
import { validateScenario } from '../../sim/scenario/schema.js';
import { expandScenario } from '../../sim/scenario/expand.js';
import { runScenario } from '../../sim/runner.js';
import { startCli, type Child } from '../support/cli-child.js';
import { tempDir } from '../support/tmp.js';

const SIM_CLI = fileURLToPath(new URL('../../sim/cli.js', import.meta.url));
const scenario = { name: 'sim-slices', seed: 5, rounds: 3, devices: { count: 24, board: 'emulated' }, dataset: { partition: { kind: 'windows', perDevice: 20 } }, ledger: true };

test('2 board processes + a gateway process against one broker: every update admitted, same results as one process', { timeout: 90_000 }, async () => {
  const tmp = tempDir('sim-slices-');
  const broker = await startEmbeddedBroker();
  const kids: Child[] = [];
  try {
    const file = join(tmp.dir, 'scenario.json');
    writeFileSync(file, JSON.stringify(scenario));
    const out = join(tmp.dir, 'out');
    // boards first: their ready markers repeat until the gateway's first plan, so order does not matter
    for (const k of [0, 1]) kids.push(startCli(SIM_CLI, [file, '--broker', broker.url, '--slice', `${k}/2`, '--workers', '1']));
    kids.push(startCli(SIM_CLI, [file, '--broker', broker.url, '--remote-fleet', '2', '--out', out]));
    const codes = await Promise.all(kids.map((c) => c.exited));
    assert.deepEqual(codes, [0, 0, 0], kids.map((c) => c.stderr.slice(-5).join('\n')).join('\n---\n'));
    const slices = kids.slice(0, 2).map((c) => c.events.at(-1)!);
    assert.deepEqual(slices.map((e) => [e.sim_slice, e.sim_boards, e.sim_rounds]), [['0/2', 12, 3], ['1/2', 12, 3]]);
    assert.ok(slices.every((e) => e.sim_wasm_bytes_per_board >= 65536), 'each board process measured its boards');
    const rounds = JSON.parse(readFileSync(join(out, 'rounds.json'), 'utf8')) as { round: number; accepted: number; rejected: number; received: number; accuracy: number; loss: number }[];
    assert.deepEqual(rounds.map((r) => [r.round, r.received, r.accepted, r.rejected]), [[1, 24, 24, 0], [2, 24, 24, 0], [3, 24, 24, 0]], 'every board of both processes admitted every round');
    // the same scenario in one process (embedded broker, 2 worker threads): the same model every round
    const one = await runScenario(expandScenario(validateScenario(scenario))[0], { workers: 2 });
    // (rounds.json keeps 6 decimals, as roundRows writes them)
    assert.deepEqual(rounds.map((r) => [r.accuracy, r.loss]), one.rounds.map((r) => [+r.accuracy.toFixed(6), +r.loss.toFixed(6)]));
    assert.deepEqual(one.rounds.map((r) => r.accepted), [24, 24, 24]);
  } finally {
    for (const c of kids) c.p.kill();
    await broker.close();
    tmp.cleanup();
  }
});

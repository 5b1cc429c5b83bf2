// End to end on a small fleet: worker threads running the firmware, a real (embedded) MQTT
// broker, the simulated gateway; deterministic given the seed; attackers rejected where the
// detectors or the committee should catch them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateScenario } from '../../sim/scenario/schema.js';
import { expandScenario } from '../../sim/scenario/expand.js';
import { runScenario } from '../../sim/runner.js';
import { summarize } from '../../sim/metrics/record.js';

const base = { name: 'sim-test', seed: 3, rounds: 3, devices: { count: 12 }, dataset: { partition: { kind: 'iid' } }, ledger: true };

test('same seed, same metrics (2 workers, ledger on)', async () => {
  const spec = expandScenario(validateScenario(base))[0];
  const a = await runScenario(spec, { workers: 2 });
  const b = await runScenario(spec, { workers: 2 });
  assert.equal(a.rounds.length, 3);
  assert.deepEqual(a.rounds.map((r) => [r.accuracy, r.loss, r.accepted]), b.rounds.map((r) => [r.accuracy, r.loss, r.accepted]));
  assert.ok(a.rounds.every((r) => r.accepted === 12 && r.rejected === 0), 'every firmware-signed update is admitted');
  assert.ok(a.rounds[2].accuracy > 0.5, `learns: ${a.rounds[2].accuracy}`);
  assert.ok(a.memory && a.memory.boards === 12 && a.memory.wasmBytesPerBoard >= 65536);
});

test('lazy copies and free riders are caught by the detectors', async () => {
  const s = validateScenario({ ...base, ledger: false, detect: { copies: true, noProgress: true },
    attackers: [{ type: 'lazy-copy', fraction: 0.25 }, { type: 'free-rider', fraction: 0.25 }] });
  const out = await runScenario(expandScenario(s)[0], { workers: 2 });
  const sum = summarize(out);
  // a lazy node that happens to copy a free rider is caught as no_progress, so count both reasons
  const caught = (sum.rejections_by_role.copied_update?.attacker ?? 0) + (sum.rejections_by_role.no_progress?.attacker ?? 0);
  assert.equal(sum.submissions.attacker, 18, '6 attackers × 3 rounds');
  assert.equal(caught, 18);
  assert.ok((sum.rejections_by_role.no_progress?.attacker ?? 0) >= 9, 'every free rider');
  assert.equal((sum.rejections_by_role.copied_update?.honest ?? 0) + (sum.rejections_by_role.no_progress?.honest ?? 0), 0, 'no honest board flagged');
});

test('committee rejects Gaussian attackers that FedAvg takes in', async () => {
  const s = validateScenario({ ...base, ledger: false, devices: { count: 20 }, rounds: 2, selection: { activeFraction: 0.6 },
    consensus: { engine: 'committee', committeeFraction: 0.3, threshold: 0.1, kFraction: 0.5 }, attackers: [{ type: 'gaussian', fraction: 0.25 }] });
  const out = await runScenario(expandScenario(s)[0], { workers: 2 });
  const sum = summarize(out);
  assert.equal(sum.submissions.attacker, (sum.rejections_by_role.committee_score?.attacker ?? 0), 'no Gaussian update accepted');
  assert.ok(out.rounds.every((r) => r.scores && r.reputation));
});

test('committee (signed sheets through committeeEngine) and PoW runs: same seed, same metrics and decisions (ledger on)', async () => {
  for (const consensus of [{ engine: 'committee', committeeFraction: 0.3, threshold: 0.1, kFraction: 0.5 }, { engine: 'pow', difficulty: 8 }]) {
    const spec = expandScenario(validateScenario({ ...base, selection: { activeFraction: 0.75 }, consensus }))[0];
    const a = await runScenario(spec, { workers: 2 });
    const b = await runScenario(spec, { workers: 2 });
    const view = (o: typeof a) => o.rounds.map((r) => [r.accuracy, r.loss, r.acceptedIds, r.rejected, r.scores ? [...r.scores] : null]);
    assert.deepEqual(view(a), view(b), consensus.engine);
    if (consensus.engine === 'committee') {
      // K = 9 trainers, M = 3 members, k = 5: every round the committee scores and the engine keeps ≤ k
      assert.ok(a.rounds.every((r) => r.committee === 3 && r.accepted >= 1 && r.accepted <= 5 && r.scores!.size === r.received), consensus.engine);
    } else {
      assert.ok(a.rounds.every((r) => r.committee === 0 && r.accepted === 9 && r.rejected === 0), consensus.engine);
    }
    assert.ok(a.rounds[2].accuracy > 0.5, `${consensus.engine} learns: ${a.rounds[2].accuracy}`);
  }
});

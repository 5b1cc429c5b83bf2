// The sensor task end to end on emulated boards fed from the real dataset (sim/sensors/run.ts):
// PoQ rounds on a BFT cluster of 4 gateways, MAE against the float reference and the
// "last value" forecast, and the residuals' event detection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSensors, SENSOR_DEFAULTS } from '../../sim/sensors/run.js';
import { tempDir } from '../support/tmp.js';

test('federated sensor task under PoQ beats last value and stays within 10 % of float', async () => {
  const tmp = tempDir('sensors-');
  const r = await runSensors({ ...SENSOR_DEFAULTS, rounds: 10, dataDir: tmp.dir }).finally(() => tmp.cleanup());
  assert.equal(r.rounds, 10);
  assert.equal(r.boards, 4);
  assert.ok(r.ledger_verified);
  assert.ok(r.per_round.every((l) => l.accepted === 4), 'PoQ accepted every party each round');
  assert.ok(r.final_mae_c < r.last_value_mae_c, `MAE ${r.final_mae_c} < last value ${r.last_value_mae_c}`);
  assert.ok(Math.abs(r.vs_float) <= 0.10, `MAE ${r.final_mae_c} within 10 % of float ${r.float_mae_c}`);
  assert.ok(r.per_round[0].maeC > r.final_mae_c, 'training moved the model');
  // labelled readings that are the target of some window (a few sit in the first 6 min or last 10 min)
  assert.ok(r.anomaly.events <= 149 && r.anomaly.events >= 140, `${r.anomaly.events} events`);
  assert.equal(r.anomaly.tp + r.anomaly.fn, r.anomaly.events);
  assert.ok(r.anomaly.tp > 0 && r.anomaly.recall > 0.3, `recall ${r.anomaly.recall}`);
});

// End to end through a real Mosquitto broker started from a temporary config.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runFederated } from '../../sim/run.js';
import { startMosquitto } from '../support/mosquitto.js';
import { tempDir } from '../support/tmp.js';

test('federated run over a real Mosquitto broker', async (t) => {
  const mosq = await startMosquitto();
  if (!mosq) { t.skip('mosquitto not installed'); return; }
  const tmp = tempDir('e2e-mosq-');
  try {
    const r = await runFederated({ devices: 4, rounds: 3, alpha: 0.5, seed: 4, epochs: 1, roundTimeoutMs: 20_000, dataDir: tmp.dir, broker: mosq.url });
    assert.equal(r.rounds, 3);
    assert.equal(r.ledger_verified, true);
    assert.equal(r.ledger_height, 4);
    for (const s of r.summaries) assert.equal(s.accepted.length, 4);
    assert.ok(r.final_accuracy > 0.6, `final accuracy ${r.final_accuracy}`);
  } finally {
    tmp.cleanup();
    await mosq.stop();
  }
});

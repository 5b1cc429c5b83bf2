// End to end: a small federated run through the embedded aedes broker.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runFederated, demoGenesis } from '../../sim/run.js';
import { Ledger } from '../../gateway/ledger/index.js';
import { engineParams } from '../../gateway/consensus/registry.js';
import { makeEngine } from '../../gateway/cluster/setup.js';
import { tempDir } from '../support/tmp.js';

test('federated run over embedded aedes: every round aggregates all boards, accuracy rises, ledger verifies', async () => {
  const tmp = tempDir('e2e-aedes-');
  try {
    const r = await runFederated({ devices: 4, rounds: 3, alpha: 0.5, seed: 3, epochs: 1, roundTimeoutMs: 20_000, dataDir: tmp.dir });
    assert.equal(r.rounds, 3);
    assert.equal(r.ledger_verified, true);
    assert.equal(r.ledger_height, 1 + 3, 'registration block + one block per round');
    for (const s of r.summaries) {
      assert.equal(s.accepted.length, 4, `round ${s.round} accepted ${s.accepted}`);
      assert.deepEqual(s.rejected, []);
    }
    const acc = r.summaries.map((s) => s.accuracy ?? 0);
    assert.ok(acc[2] > 0.6, `accuracy after 3 rounds ${acc[2]}`);
    // the ledger on disk reopens and verifies independently of the run
    const again = await Ledger.open(tmp.dir, { genesis: demoGenesis({ seed: 3 }, engineParams(makeEngine('fedavg', 4))) });
    assert.equal((await again.verify()).ok, true);
    assert.equal(again.height, 4);
    await again.close();
  } finally {
    tmp.cleanup();
  }
});

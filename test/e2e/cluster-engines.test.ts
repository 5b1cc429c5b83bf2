// Each round consensus engine drives a full federated MNIST run on 4 gateways (issue 6 "Done when").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runFederated } from '../../sim/run.js';
import type { EngineName } from '../../gateway/consensus/engine.js';

for (const engine of ['fedavg', 'committee', 'poq', 'pow'] as EngineName[]) {
  test(`${engine}: 4 gateways finalize every round with identical chains and the model learns`, { timeout: 30_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), `cl-${engine}-`));
    try {
      const r = await runFederated({ devices: 6, rounds: 3, alpha: 0.5, seed: 3, epochs: 1, roundTimeoutMs: 4000, consensus: engine, gateways: 4, dataDir: dir }, { settings: { difficulty: 8 } });
      assert.equal(r.rounds, 3);
      assert.equal(r.per_gateway.length, 4);
      for (const g of r.per_gateway) {
        assert.equal(g.height, 4, `${g.id} height`);           // registration + 3 rounds
        assert.equal(g.head, r.per_gateway[0].head, `${g.id} head differs`);
        assert.ok(g.verified, `${g.id} verifies`);
        assert.equal(g.evidence, 0);
      }
      assert.ok(r.summaries.every((s) => s.accepted.length > 0), 'every round accepted updates');
      assert.ok(r.summaries.every((s) => s.engine === engine), 'headers name the engine');
      assert.ok(r.final_accuracy > 0.75, `accuracy ${r.final_accuracy}`);
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });
}

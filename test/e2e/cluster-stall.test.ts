// A cluster that loses its quorum in-process (sim/run.ts): 2 of 4 gateways go mute (their BFT
// finality publishes nothing), so no block can gather ⌈2·4/3⌉ = 3 approvals. The run must not
// hang: after stallTimeoutMs without a finalized block it stops every gateway and fails with
// what it waited for — the height, the approvals it had and the silent gateways.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runFederated } from '../../sim/run.js';
import { BftFinality } from '../../gateway/finality/bft.js';
import { tempDir } from '../support/tmp.js';

class Mute extends BftFinality { protected override publish(): void { /* a crashed or cut-off gateway */ } }

test('an in-process cluster without quorum fails after stallTimeoutMs, naming the silent gateways, instead of hanging', { timeout: 60_000 }, async () => {
  const tmp = tempDir('e2e-stall-');
  try {
    const t0 = Date.now();
    await assert.rejects(
      runFederated({ devices: 3, rounds: 3, gateways: 4, alpha: 0.5, seed: 4, epochs: 1, roundTimeoutMs: 1_500, stallTimeoutMs: 4_000, dataDir: tmp.dir }, {
        viewTimeoutMs: 400,
        finalityFactory: (o, g) => (g >= 2 ? new Mute(o) : new BftFinality(o)),
      }),
      (e: Error) => {
        const m = /^the cluster stalled \((gw-\d)\): no block for \d+ s at height 2 \(view \d+\): [0-2]\/3 approvals \(([^)]*)\), silent (.*)$/.exec(e.message);
        assert.ok(m, e.message);
        // a live gateway names both mute ones; a mute one hears the live ones but not the other mute one
        const silent = m[3].split(', ');
        if (m[1] === 'gw-0' || m[1] === 'gw-1') assert.deepEqual(silent, ['gw-2', 'gw-3'], e.message);
        else assert.deepEqual(silent, [m[1] === 'gw-2' ? 'gw-3' : 'gw-2'], e.message);
        assert.ok(m[2].split(', ').every((id) => id === 'gw-0' || id === 'gw-1' || id === ''), `only the live gateways approved: ${m[2]}`);
        return true;
      },
    );
    const ms = Date.now() - t0;
    assert.ok(ms < 40_000, `gave up in ${ms} ms`);
  } finally { tmp.cleanup(); }
});

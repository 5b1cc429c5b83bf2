// The poisoning defence on the deployed path (docs/robustness.md): `npm start -- --defence`
// runs root trust (FLTrust with the gateways' root digits, reputation carried across rounds in
// the model record, centered clipping) through the real gateway, MQTT broker, firmware boards
// and on-disk ledger. Three of eight boards train on random labels (data poisoning); the
// defence keeps them out once their reputation is negative and beats the undefended run, and a
// gateway resumed from its ledger carries the same reputation as one that never stopped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runFederated, type RunOptions } from '../../sim/run.js';
import { Ledger } from '../../gateway/ledger/index.js';
import { tempDir } from '../support/tmp.js';
import { toHex } from '../../protocol/bytes.js';

const NOISY = [1, 4, 6];
const opts = (dataDir: string, defence: boolean, rounds = 5): RunOptions => ({
  devices: 8, rounds, alpha: 0.5, seed: 3, epochs: 1, roundTimeoutMs: 30_000, dataDir, defence,
  misbehave: Object.fromEntries(NOISY.map((i) => [i, 'noisy-labels' as const])),
});
const id = (i: number) => `dev-${String(i).padStart(5, '0')}`;

async function lastModel(dir: string) {
  const l = await Ledger.open(dir);
  try { return l.model('mnist-lr'); } finally { await l.close(); }
}

test('root trust keeps noisy-label boards out after their first round, and resumes with the chain\'s reputation', async () => {
  const a = tempDir('e2e-defence-'), b = tempDir('e2e-defence-'), c = tempDir('e2e-defence-');
  try {
    const on = await runFederated(opts(a.dir, true));
    const off = await runFederated(opts(b.dir, false));
    assert.equal(on.rounds, 5);
    assert.equal(on.ledger_verified, true);
    const honest = [0, 2, 3, 5, 7].map(id), noisy = NOISY.map(id);
    for (const s of on.summaries) {
      for (const h of honest) assert.ok(s.accepted.includes(h), `round ${s.round}: honest ${h} left out`);
      if (s.round >= 2) for (const n of noisy) assert.ok(!s.accepted.includes(n), `round ${s.round}: noisy ${n} accepted`);
    }
    const later = on.summaries.filter((s) => s.round >= 2).flatMap((s) => s.rejected);
    assert.ok(later.length >= 3 && later.every((r) => r.reason === 'direction_trust'), JSON.stringify(later.slice(0, 3)));
    for (const s of off.summaries) assert.equal(s.accepted.length, 8, 'without the defence every update counts');
    assert.ok(on.final_accuracy > off.final_accuracy, `defended ${on.final_accuracy} vs undefended ${off.final_accuracy}`);
    // the reputation is chain state: every device once, the noisy ones negative
    const rec = await lastModel(a.dir);
    const trust = new Map(rec!.trust!);
    assert.deepEqual([...trust.keys()], Array.from({ length: 8 }, (_, i) => id(i)));
    for (const n of noisy) assert.ok(trust.get(n)! < 0, `${n}: ${trust.get(n)}`);
    for (const h of honest) assert.ok(trust.get(h)! > 0, `${h}: ${trust.get(h)}`);
    // stop after round 3, resume to round 5: same reputation and model as the run that never stopped
    await runFederated(opts(c.dir, true, 3));
    const resumed = await runFederated(opts(c.dir, true, 5));
    assert.equal(resumed.resumed_from, 3);
    const rec2 = await lastModel(c.dir);
    assert.deepEqual(rec2!.trust, rec!.trust);
    assert.equal(toHex(rec2!.modelHash), toHex(rec!.modelHash));
  } finally { a.cleanup(); b.cleanup(); c.cleanup(); }
});

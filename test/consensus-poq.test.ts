import { test } from 'node:test';
import assert from 'node:assert/strict';
import { poqEngine, signReport, maeU, poqLeader, blockDigest, auditWithin, type QualityReport } from '../gateway/consensus/poq.js';
import { ConsensusError, type EngineContext, type RoundInput } from '../gateway/consensus/engine.js';
import { aggregator } from '../gateway/aggregate/index.js';
import { encodeModel } from '../protocol/model-blob.js';
import { fleet, honestUpdate, noiseUpdate } from './consensus-helpers.js';

const prev = new Uint8Array(32).fill(3);

test('Eq. 7: MAE^u = γ·MAE(m_j) + mean MAE with γ = 1 + |d_j|/Σ|d_i|; lowest leads', () => {
  const r = [{ party: 'a', mae: 200_000, n: 100 }, { party: 'b', mae: 100_000, n: 300 }];
  const u = maeU(r);
  assert.equal(u.get('a'), 250_000 + 150_000);   // γ_a = 1.25
  assert.equal(u.get('b'), 175_000 + 150_000);   // γ_b = 1.75
  assert.equal(poqLeader(r), 'b');
  // a larger share of data raises γ: with equal MAE the smaller party leads
  assert.equal(poqLeader([{ party: 'x', mae: 100_000, n: 900 }, { party: 'y', mae: 100_000, n: 100 }]), 'y');
});

// Each party trains, reports the firmware MAE on its own data, and audits everyone else's.
function round(f: ReturnType<typeof fleet>, liar?: number) {
  const parties = f.ids.slice(0, 4);
  const cands = parties.map((_, i) => (i === liar ? noiseUpdate(f, i, f.initial, 9) : honestUpdate(f, i, f.initial)));
  const maeOn = (params: Int32Array, i: number) => { f.kernel.load(encodeModel(f.header, params)); return Math.round(f.kernel.evaluate(f.shards[i]).mae * 1e6); };
  const reports: QualityReport[] = cands.map((c, i) => signReport(f.signer(c.id), { round: 1, updateHash: c.updateHash, mae: i === liar ? 10_000 : maeOn(c.params, i), n: c.n }, prev));
  const ctx: EngineContext = { keyOf: (id) => f.signer(id).publicKey, rule: aggregator('fedavg') };
  const input: RoundInput = { round: 1, prev, candidates: cands, committee: parties };
  const eng = poqEngine({ tolerance: 400_000 });
  const draft = eng.decide(input, { reports, approvals: [] }, ctx); // leader and global model, before approvals
  const global = aggregator('fedavg')(cands.map((c) => ({ params: c.params, n: c.n })));
  const digest = blockDigest(1, prev, draft.leader!, [...reports].sort((a, b) => (a.party < b.party ? -1 : 1)), global);
  const approvals = parties.flatMap((p, i) => {
    const recomputed = new Map(cands.map((c) => [c.id, maeOn(c.params, i)]));
    return auditWithin(reports, recomputed, maeOn(global, i), 400_000) ? [{ member: p, sig: f.signer(p).sign(digest) }] : [];
  });
  return { eng, input, ctx, reports, approvals, draft };
}

test('PoQ with honest parties: every member approves and the block counts', () => {
  const f = fleet(4, 5);
  const { eng, input, ctx, reports, approvals, draft } = round(f);
  assert.equal(approvals.length, 4);
  assert.equal(draft.accepted.length, 0, 'without approvals nothing is appended');
  const d = eng.decide(input, { reports, approvals }, ctx);
  assert.deepEqual(d.accepted, f.ids.slice(0, 4));
  assert.equal(d.leader, poqLeader(reports));
  const back = eng.decodeEvidence(eng.encodeEvidence({ reports, approvals }));
  assert.deepEqual(eng.decide(input, back, ctx).accepted, d.accepted);
});

test('PoQ: a party that lies about its MAE is caught by the audits and the block is not appended', () => {
  const f = fleet(4, 5);
  const { eng, input, ctx, reports, approvals } = round(f, 2);
  assert.ok(approvals.length <= 1, `honest members refuse (${approvals.length} approvals)`);
  assert.deepEqual(eng.decide(input, { reports, approvals }, ctx).accepted, []);
  // and the liar's tiny claimed MAE would have made it leader
  assert.equal(poqLeader(reports), f.ids[2]);
});

test('PoQ evidence checks: forged report, non-party approvals, threshold', () => {
  const f = fleet(4, 5);
  const { eng, input, ctx, reports, approvals } = round(f);
  const forged = reports.map((r, i) => (i === 0 ? { ...r, mae: r.mae + 1 } : r));
  assert.throws(() => eng.decide(input, { reports: forged, approvals }, ctx), (e: unknown) => e instanceof ConsensusError && e.reason === 'bad_signature');
  const outsider = { member: 'gw-x', sig: approvals[0].sig };
  assert.deepEqual(eng.decide(input, { reports, approvals: [...approvals.slice(0, 3), outsider] }, ctx).accepted, []);
  assert.equal(poqEngine({ threshold: 3 }).decide(input, { reports, approvals: approvals.slice(0, 3) }, ctx).accepted.length, 4);
});

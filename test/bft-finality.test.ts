// BFT finality among 4 gateways (f = 1) on an in-memory bus and a fake clock: the round driver,
// machine, finality and ledgers are the real ones; only time and the broker are simulated.
// View change, equivocation, a lying proposer, catch-up, and a deadline, in milliseconds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rig, TASK } from './support/round-rig.js';
import { BftFinality } from '../gateway/finality/bft.js';
import { checkEquivocation } from '../gateway/finality/votes.js';
import { encodeProposal, encodeVote, type Proposal } from '../gateway/finality/messages.js';
import { encodeBlock, globalModelTx, type Block, type GlobalModelBody } from '../gateway/ledger/index.js';
import { approvalSigningBytes, proposerSigningBytes } from '../gateway/ledger/block.js';
import { proposeTopic, voteTopic } from '../protocol/topics.js';
import { toHex, sha256 } from '../protocol/bytes.js';

const heads = (r: Awaited<ReturnType<typeof rig>>, gs = [0, 1, 2, 3]) => gs.map((g) => toHex(r.ledgers[g].headHash()));

test('4 gateways finalize every round with one head, without waiting for any timer', async () => {
  const r = await rig({ rounds: 3 });
  try {
    assert.ok(await r.until(() => r.summaries.every((s) => s.length === 3), 200));
    for (const l of r.ledgers) { assert.equal(l.height, 4); assert.ok((await l.verify()).ok); }
    assert.equal(new Set(heads(r)).size, 1);
    const s = r.summaries[0];
    assert.deepEqual(s.map((x) => x.accepted.length), [6, 6, 6]);
    assert.ok(s.every((x) => x.view === 0 && x.engine === 'fedavg' && x.rejected.length === 0));
    // every gateway computed and recorded the same accuracy-free model record, and the same model
    assert.equal(new Set(r.summaries.map((x) => x[2].modelHash)).size, 1);
    // the block's parent is what the round bound to (prev = parent block hash)
    const b3 = await r.ledgers[0].block(3);
    assert.equal(toHex(b3.header.prev), toHex((await r.ledgers[0].block(2)).hash));
    assert.equal(b3.header.cons.engine, 'fedavg');
  } finally { await r.close(); }
});

test('a silent leader is replaced after the view timeout and the round still finalizes', async () => {
  // height 2 (round 1) is led by gw-2 in view 0: drop everything it publishes
  const r = await rig({ rounds: 2, viewTimeoutMs: 300 });
  r.bus.drop = (_t, _p, from) => from === 'gw-2';
  try {
    assert.ok(await r.until(() => [0, 1, 3].every((g) => r.summaries[g].length === 2), 5_000));
    const s1 = r.summaries[0][0];
    assert.ok(s1.view >= 1, `round 1 needed a view change (view ${s1.view})`);
    assert.notEqual(s1.proposer, 'gw-2');
    assert.ok(r.logs.some((l) => l.event === 'view_change'));
    assert.equal(new Set(heads(r, [0, 1, 3])).size, 1);
    assert.ok(r.clock.now() - 1_000 >= 300, 'time had to pass the view timeout');
  } finally { await r.close(); }
});

/** A Byzantine gateway: when it leads, it signs two different blocks for the height and approves both. */
class Equivocator extends BftFinality {
  second?: Block;
  protected override sendProposal(p: Proposal, block: Block): void {
    super.sendProposal(p, block);
    void this.o.ledger.propose(this.o.signer, block.txs, block.header.cons, block.header.time + 1).then((b2) => {
      this.second = b2;
      this.publish(proposeTopic(TASK), encodeProposal({ ...p, block: encodeBlock(b2) }));
      for (const b of [block, b2]) this.publish(voteTopic(TASK), encodeVote({ height: p.height, hash: b.hash, id: this.o.id, sig: this.o.signer.sign(approvalSigningBytes(b.hash)) }));
    });
  }
}

test('an equivocating gateway: no conflicting blocks are finalized and both signatures are kept as evidence', async () => {
  const r = await rig({ rounds: 4, finality: (o, g) => (g === 1 ? new Equivocator(o) : new BftFinality(o)) });
  try {
    assert.ok(await r.until(() => [0, 2, 3].every((g) => r.summaries[g].length === 4), 5_000));
    const bad = r.finalities[1] as Equivocator;
    assert.ok(bad.second, 'the equivocator led a height and signed a second block');
    assert.equal(new Set(heads(r, [0, 2, 3])).size, 1);
    const k1 = r.gatewayKeys.get('gw-1')!;
    for (const g of [0, 2, 3]) {
      const f = r.finalities[g] as BftFinality;
      const ev = f.evidence.filter((e) => e.id === 'gw-1');
      assert.ok(ev.some((e) => e.kind === 'propose' && checkEquivocation(e, k1, proposerSigningBytes)), `gw-${g} kept proposal evidence`);
      assert.ok(ev.some((e) => e.kind === 'approve' && checkEquivocation(e, k1)), `gw-${g} kept approval evidence`);
      assert.ok(!f.evidence.some((e) => e.id !== 'gw-1'), 'no honest gateway is accused');
      // the evidence does not verify under another gateway's key
      assert.equal(checkEquivocation(ev.find((e) => e.kind === 'approve')!, r.gatewayKeys.get('gw-2')!), false);
    }
  } finally { await r.close(); }
});

/** A lying leader: its block records a model hash the aggregate does not give. */
class Liar extends BftFinality {
  lied = 0;
  protected override sendProposal(p: Proposal, block: Block): void {
    const i = block.txs.findIndex((t) => t.type === 'model');
    const body = { ...(block.txs[i].body as GlobalModelBody), modelHash: sha256(Uint8Array.of(this.lied++)) };
    const txs = block.txs.map((t, k) => (k === i ? globalModelTx(this.o.signer, body) : t));
    void this.o.ledger.propose(this.o.signer, txs, block.header.cons, block.header.time).then((b2) => super.sendProposal({ ...p, block: encodeBlock(b2) }, b2));
  }
}

test('a proposer that lies about the aggregate is refused by every honest gateway and replaced', async () => {
  const r = await rig({ rounds: 2, viewTimeoutMs: 300, finality: (o, g) => (g === 2 ? new Liar(o) : new BftFinality(o)) });
  try {
    assert.ok(await r.until(() => [0, 1, 3].every((g) => r.summaries[g].length === 2), 5_000));
    assert.ok((r.finalities[2] as Liar).lied > 0, 'gw-2 led and lied');
    assert.ok(r.logs.filter((l) => l.reason === 'content_mismatch').length >= 3, 'honest gateways refused the block');
    const s1 = r.summaries[0][0];
    assert.notEqual(s1.proposer, 'gw-2');
    assert.ok(s1.view >= 1);
    // what was finalized is the honest aggregate: every gateway's model record matches its own model
    for (const g of [0, 1, 3]) assert.equal(toHex(r.ledgers[g].model(TASK)!.modelHash), r.summaries[g][1].modelHash);
  } finally { await r.close(); }
});

test('a gateway cut off for two rounds catches up from its peers, checking what it imports', async () => {
  const r = await rig({ rounds: 6, viewTimeoutMs: 300 });
  let cut = true;
  r.bus.drop = (_t, _p, from, to) => cut && (from === 'gw-3' || to === 'gw-3');
  try {
    assert.ok(await r.until(() => r.summaries[0].length >= 2, 5_000, 1));
    assert.equal(r.ledgers[3].height, 1, 'gw-3 fell behind');
    cut = false;
    assert.ok(await r.until(() => r.ledgers.every((l) => l.height === 7), 10_000));
    assert.equal(new Set(heads(r)).size, 1);
    assert.ok((await r.ledgers[3].verify()).ok);
    assert.ok(r.logs.some((l) => l.gw === 'gw-3' && l.event === 'caught_up'));
    // it continued from the chain's model, not from a stale one
    assert.equal(toHex(sha256(r.drivers[3].state().model)), r.summaries[0].at(-1)!.modelHash);
  } finally { await r.close(); }
});

test('a device that never answers: the round closes at its deadline with the others', async () => {
  const r = await rig({ rounds: 1, deadlineMs: 2_000, silent: [5] });
  try {
    await r.clock.advance(1_900);
    assert.equal(r.summaries[0].length, 0, 'still collecting before the deadline');
    assert.ok(await r.until(() => r.summaries.every((s) => s.length === 1), 1_000));
    assert.equal(r.summaries[0][0].accepted.length, 5);
    assert.ok(!r.summaries[0][0].accepted.includes('dev-00005'));
  } finally { await r.close(); }
});


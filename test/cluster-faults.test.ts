// Faults among 4 gateways (f = 1): a crash mid-round, an equivocating gateway, and a gateway
// cut off and rejoined. Real MQTT (embedded aedes), real ledgers, real boards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runClusterFederated } from '../sim/run-cluster.js';
import { ClusterNode, type ClusterNodeOptions } from '../gateway/cluster/node.js';
import { checkEquivocation } from '../gateway/cluster/bft.js';
import { proposeTopic, voteTopic, encodeProposal, encodeVote, type Proposal } from '../gateway/cluster/messages.js';
import { encodeBlock, type Block, type Ledger } from '../gateway/ledger/index.js';
import { approvalSigningBytes, proposerSigningBytes } from '../gateway/ledger/block.js';
import { sha256, toHex } from '../protocol/bytes.js';

const base = { devices: 6, alpha: 0.5, seed: 5, epochs: 1, gateways: 4, consensus: 'fedavg' as const };
const tmp = (p: string) => mkdtempSync(join(tmpdir(), p));

test('a gateway killed mid-round: the other three replace the leader and finalize every round', { timeout: 40_000 }, async () => {
  const dir = tmp('cl-crash-');
  let nodes: ClusterNode[] = [];
  let victim = '';
  try {
    const r = await runClusterFederated({ ...base, rounds: 4, roundTimeoutMs: 1500, dataDir: dir }, {
      viewTimeoutMs: 700,
      onNodes: (ns) => { nodes = ns; },
      onRound: (s) => {
        if (s.round !== 1) return;
        // Kill the leader of the next height (round 2) while round 2 is collecting updates.
        victim = nodes[0].leaderOf(s.height + 1, 0);
        void nodes.find((n) => n.id === victim)!.close(true);
      },
    });
    assert.ok(victim && victim !== 'gw-0');
    const live = r.per_gateway.filter((g) => g.id !== victim);
    for (const g of live) {
      assert.equal(g.height, 5, `${g.id} finalized all rounds`);
      assert.equal(g.head, live[0].head);
      assert.ok(g.verified);
    }
    const dead = r.per_gateway.find((g) => g.id === victim)!;
    assert.ok(dead.height < 5 && dead.verified, 'the crashed gateway stopped with a valid prefix');
    assert.ok(r.cluster_summaries.find((s) => s.round === 2)!.view >= 1, 'round 2 needed a view change');
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

/** A Byzantine gateway: when it leads, it signs two different blocks for the height and approves both. */
class Equivocator extends ClusterNode {
  second?: Block;
  protected override sendProposal(p: Proposal, block: Block): void {
    super.sendProposal(p, block);
    void this.o.ledger.propose(this.o.signer, block.txs, block.header.cons, block.header.time + 1).then((b2) => {
      this.second = b2;
      this.publish(proposeTopic(this.o.task), encodeProposal({ ...p, block: encodeBlock(b2) }));
      for (const b of [block, b2]) this.publish(voteTopic(this.o.task), encodeVote({ height: p.height, hash: b.hash, id: this.id, sig: this.o.signer.sign(approvalSigningBytes(b.hash)) }));
    });
  }
}

test('an equivocating gateway: no conflicting blocks are finalized and both signatures are kept as evidence', { timeout: 40_000 }, async () => {
  const dir = tmp('cl-equiv-');
  let nodes: ClusterNode[] = [];
  const keys = new Map<string, Uint8Array>();
  try {
    const r = await runClusterFederated({ ...base, rounds: 4, roundTimeoutMs: 3000, dataDir: dir }, {
      nodeFactory: (o: ClusterNodeOptions, g) => { keys.set(o.id, o.signer.publicKey); return g === 1 ? new Equivocator(o) : new ClusterNode(o); },
      onNodes: (ns) => { nodes = ns; },
    });
    const bad = nodes[1] as Equivocator;
    assert.ok(bad.second, 'the equivocator led a height and signed a second block');
    const honest = r.per_gateway.filter((g) => g.id !== 'gw-1');
    for (const g of honest) { assert.equal(g.head, honest[0].head); assert.ok(g.verified); assert.equal(g.height, 5); }
    for (const n of nodes.filter((x) => x.id !== 'gw-1')) {
      const ev = n.evidence.filter((e) => e.id === 'gw-1');
      assert.ok(ev.some((e) => e.kind === 'propose' && checkEquivocation(e, keys.get('gw-1')!, proposerSigningBytes)), `${n.id} kept proposal evidence`);
      assert.ok(ev.some((e) => e.kind === 'approve' && checkEquivocation(e, keys.get('gw-1')!)), `${n.id} kept approval evidence`);
      assert.ok(!n.evidence.some((e) => e.id !== 'gw-1'), 'no honest gateway is accused');
    }
    // the evidence does not verify under another gateway's key
    const e = nodes[0].evidence.find((x) => x.kind === 'approve')!;
    assert.equal(checkEquivocation(e, keys.get('gw-2')!), false);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('a gateway cut off and rejoined catches up from its peers, verifying what it receives', { timeout: 40_000 }, async () => {
  const dir = tmp('cl-rejoin-');
  let nodes: ClusterNode[] = [];
  let ledgers: Ledger[] = [];
  const opts: ClusterNodeOptions[] = [];
  let rejoined: ClusterNode | undefined;
  let checks: Promise<void> | undefined;
  try {
    const r = await runClusterFederated({ ...base, rounds: 5, roundTimeoutMs: 1500, dataDir: dir }, {
      viewTimeoutMs: 700,
      nodeFactory: (o, g) => { opts[g] = o; return new ClusterNode(o); },
      onNodes: (ns, ls) => { nodes = ns; ledgers = ls; },
      onRound: (s) => {
        if (s.round === 1) void nodes[3].close(true);          // cut gw-3 off
        if (s.round === 3) checks = (async () => {
          const l = ledgers[3];
          const behind = l.height;
          assert.ok(behind < ledgers[0].height, 'gw-3 fell behind');
          // A block without a 2f+1 quorum of approvals is refused on import.
          const next = await ledgers[0].block(behind + 1);
          await assert.rejects(l.importBlock({ ...next, approvals: next.approvals.slice(0, 2) }), /approvals/);
          rejoined = new ClusterNode({ ...opts[3], rounds: 0 });
          await rejoined.connect(r0url);
          rejoined.requestSync();
          for (let i = 0; i < 100 && l.height < ledgers[0].height; i++) await new Promise((res) => setTimeout(res, 50));
          assert.equal(toHex(l.headHash()), toHex(ledgers[0].headHash()), 'caught up to the same head');
          assert.equal(toHex(sha256(rejoined.globalModel)), toHex(sha256(nodes[0].globalModel)), 'and the same global model');
          assert.ok((await l.verify()).ok);
        })();
      },
      beforeRounds: ({ brokerUrl }) => { r0url = brokerUrl; },
    });
    await checks;
    assert.ok(rejoined, 'rejoin ran');
    const live = r.per_gateway.filter((g) => g.id !== 'gw-3');
    for (const g of live) assert.equal(g.height, 6);
  } finally {
    await rejoined?.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
let r0url = '';

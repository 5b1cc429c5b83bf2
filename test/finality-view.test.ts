// gateway/finality/view.ts: the cluster panel's view of heads and votes, over a fake finality
// source and a fake three-block chain (hashes and voters chosen by hand).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clusterView, type ClusterSource } from '../gateway/finality/view.js';
import type { Vote } from '../gateway/finality/votes.js';
import type { Block } from '../gateway/ledger/index.js';

const h32 = (b: number) => new Uint8Array(32).fill(b);
const hex = (b: number) => Buffer.from(h32(b)).toString('hex');
const IDS = ['gw-0', 'gw-1', 'gw-2', 'gw-3'];
// our chain: heights 0..2 with hashes 0xa0, 0xa1, 0xa2; block 2 approved by gw-0, gw-1, gw-3
const chain = { height: 2, async block(h: number) { return { hash: h32(0xa0 + h), approvals: h === 2 ? [{ id: 'gw-0', sig: h32(0) }, { id: 'gw-1', sig: h32(0) }, { id: 'gw-3', sig: h32(0) }] : [] } as unknown as Block; } };
const vote = (id: string, height: number, b: number): Vote => ({ id, height, hash: h32(b), sig: new Uint8Array(64) });

function source(latest: Record<string, Vote>, atNext: Vote[]): ClusterSource {
  return {
    status: () => ({ ids: IDS, height: 3, view: 1, leader: 'gw-0', voted: hex(0xb3) }),
    votes: { at: (h: number) => (h === 3 ? atNext : []), latest: (id: string) => latest[id] },
  };
}

test('across boxes: heads inferred from the votes that reached us', async () => {
  const v = await clusterView('gw-1', source({
    'gw-0': vote('gw-0', 3, 0xb3),      // voting on height 3: holds our head 2
    'gw-2': vote('gw-2', 1, 0xa1),      // approved our block 1 last: head 1 at least
    'gw-3': vote('gw-3', 1, 0xee),      // approved a block we do not hold at 1: unknown
  }, [vote('gw-0', 3, 0xb3), vote('gw-2', 3, 0xb3), vote('gw-3', 3, 0xc3)]), chain);
  assert.equal(v.n, 4); assert.equal(v.f, 1); assert.equal(v.quorum, 3);
  assert.deepEqual(v.head, { height: 2, hash: hex(0xa2), approvals: ['gw-0', 'gw-1', 'gw-3'] });
  assert.deepEqual(v.next, { height: 3, view: 1, leader: 'gw-0', voted: hex(0xb3), tallies: [{ hash: hex(0xb3), voters: ['gw-0', 'gw-2'] }, { hash: hex(0xc3), voters: ['gw-3'] }] });
  const by = Object.fromEntries(v.gateways.map((g) => [g.id, g]));
  assert.deepEqual(by['gw-0'].head, { height: 2, hash: hex(0xa2), known: 'votes' });
  assert.equal(by['gw-0'].leader, true);
  assert.deepEqual(by['gw-1'].head, { height: 2, hash: hex(0xa2), known: 'exact' }, 'ourselves: exact');
  assert.equal(by['gw-1'].self, true);
  assert.equal(by['gw-1'].lastVote, undefined);
  assert.deepEqual(by['gw-2'].head, { height: 1, hash: hex(0xa1), known: 'votes' });
  assert.equal(by['gw-2'].approvedHead, false);
  assert.equal(by['gw-3'].head, undefined, 'a vote for a block we do not hold says nothing of its head');
  assert.equal(by['gw-3'].approvedHead, true);
});

test('in-process: exact heads win over votes', async () => {
  const v = await clusterView('gw-0', source({ 'gw-2': vote('gw-2', 1, 0xa1) }, []),
    chain, new Map([['gw-2', { height: 2, hash: h32(0xa2) }], ['gw-3', { height: 1, hash: h32(0xa1) }]]));
  const by = Object.fromEntries(v.gateways.map((g) => [g.id, g]));
  assert.deepEqual(by['gw-2'].head, { height: 2, hash: hex(0xa2), known: 'exact' });
  assert.deepEqual(by['gw-3'].head, { height: 1, hash: hex(0xa1), known: 'exact' });
  assert.equal(by['gw-1'].head, undefined);
  assert.deepEqual(v.next.tallies, []);
});

test('VoteBook: at(height) lists valid first votes; latest(id) survives pruning; forged votes are not recorded', async () => {
  const { VoteBook } = await import('../gateway/finality/votes.js');
  const { nodeSigner } = await import('../gateway/ledger/index.js');
  const { approvalSigningBytes } = await import('../gateway/ledger/block.js');
  const signers = IDS.map((id, i) => nodeSigner(id, new Uint8Array(32).fill(i + 1)));
  const book = new VoteBook(new Map(signers.map((s) => [s.id, s.publicKey])));
  const signed = (i: number, height: number, b: number): Vote => ({ id: IDS[i], height, hash: h32(b), sig: signers[i].sign(approvalSigningBytes(h32(b))) });
  assert.equal(book.add(signed(0, 5, 1)).kind, 'new');
  assert.equal(book.add(signed(1, 5, 1)).kind, 'new');
  assert.equal(book.add({ ...signed(2, 5, 1), sig: signers[3].sign(approvalSigningBytes(h32(1))) }).kind, 'invalid');
  assert.equal(book.add(signed(0, 6, 2)).kind, 'new');
  assert.deepEqual(book.at(5).map((v) => v.id), ['gw-0', 'gw-1']);
  assert.equal(book.latest('gw-2'), undefined, 'the forged vote left no trace');
  book.prune(7);
  assert.deepEqual(book.at(5), []);
  assert.equal(book.latest('gw-0')!.height, 6);
  assert.equal(book.latest('gw-1')!.height, 5);
});

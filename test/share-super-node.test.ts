// The super node (seed 001 §III-C): verification of a signed request against the chain, the
// request cache (hit without training, with the trained event's proof), retrieval with the ε
// budget, and a clear rejection for each bad input: unsigned or replayed requests, unknown
// requesters, empty or oversized queries, a provider over budget and malformed profiles.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Ledger, LedgerError, registrationTx, dataProfileTx, dataRequestTx, dataEventTx, verifyTxProof, type Signer, type DataProfileBody,
} from '../gateway/ledger/index.js';
import { txSigningBytes } from '../gateway/ledger/tx/envelope.js';
import { getSpent } from '../gateway/ledger/tx/data-state.js';
import { encodeCanonical } from '../protocol/cbor.js';
import { sha256 } from '../protocol/bytes.js';
import { dataId, idHex, type KeyTerm } from '../protocol/data-id.js';
import { SuperNode, ShareError, MAX_REQUEST_BYTES, type Trainer, type TrainJob } from '../gateway/share/super-node.js';
import { Rng } from '../boards/data/rng.js';
import { signer, genesis } from './ledger-helpers.js';

const sn = signer('super-node', 1);
const requester = signer('req-1', 2);
const providers = Array.from({ length: 8 }, (_, i) => signer(`p${i}`, 10 + i));
const MODEL = new Uint8Array(64).fill(7);

/** Key terms of provider i: a shared core plus a few of its own. */
function termsOf(i: number): KeyTerm[] {
  const r = new Rng(i + 1);
  const m = new Map<number, number>();
  for (let h = 1; h <= 20; h++) m.set(h * 1000, 100);
  for (let k = 0; k < 20; k++) m.set(1_000_000 + r.int(1 << 20), 1 + r.int(255));
  return [...m].sort((a, b) => a[0] - b[0]).map(([hash, weight]) => ({ hash, weight }));
}
const profileBody = (i: number, budget = 10_000, ctr = 1): DataProfileBody => {
  const terms = termsOf(i), cat = i % 2;
  return { dataId: idHex(dataId(cat, terms)), categories: [`c${cat}`], types: ['text/mail'], size: 100 + i, terms, budget, ctr };
};

async function setup(budgets: number[] = providers.map(() => 10_000)) {
  const ledger = await Ledger.openMemory({ genesis: genesis([sn]) });
  const regs = [...providers, requester].map((p) => registrationTx(sn, { id: p.id, publicKey: p.publicKey, profile: { categories: ['c0'], types: [], size: 1 } }));
  await ledger.append(sn, regs, {}, 2_000);
  await ledger.append(sn, providers.map((p, i) => dataProfileTx(p, profileBody(i, budgets[i]))), {}, 3_000);
  const jobs: TrainJob[] = [];
  const trainer: Trainer = { async train(j) { jobs.push(j); return { model: MODEL, rounds: 2, epsilon: j.providers.map(() => j.epsilon), trainingMs: 1, consensusMs: 0 }; } };
  const log: Record<string, unknown>[] = [];
  let t = 10_000;
  const node = new SuperNode({ ledger, signer: sn, trainer, now: () => (t += 5), log: (e) => log.push(e), locate: (b) => (b.terms?.includes('nothing') ? undefined : { id: dataId(0, termsOf(0)), terms: termsOf(0) }) });
  return { ledger, node, jobs, log };
}

let ctr = 0;
const request = (who: Signer, over: Partial<{ terms: string[]; providers: number; epsilon: number; ctr: number }> = {}) =>
  dataRequestTx(who, { categories: ['c0'], terms: over.terms ?? ['free', 'money'], queries: sha256(new Uint8Array([1])), providers: over.providers ?? 3, epsilon: over.epsilon ?? 0, timestamp: 5_000, ctr: over.ctr ?? ++ctr });

/** A request's envelope built by hand (to send what makeTx would refuse). */
function rawRequest(who: Signer, body: Record<string, unknown>, sign = true): Uint8Array {
  const sig = sign ? who.sign(txSigningBytes('data-request', who.id, body as never)) : new Uint8Array(0);
  return encodeCanonical([1, 'data-request', who.id, body as never, sig]);
}

const rejects = (p: Promise<unknown>, reason: string) => assert.rejects(p, (e: unknown) => e instanceof ShareError && e.reason === reason);

test('a miss trains once and records the event; the same request again is a cache hit with the proof', async () => {
  ctr = 0;
  const { ledger, node, jobs } = await setup();
  const a = await node.submit(request(requester).bytes);
  assert.equal(a.hit, false);
  assert.equal(jobs.length, 1);
  assert.equal(a.providers.length, 3);
  assert.deepEqual(a.providers, jobs[0].providers);
  assert.ok(verifyTxProof(a.proof, { proposerKey: sn.publicKey }));
  // the same question, signed anew (a fresh counter), with the terms in another order and case
  const b = await node.submit(request(requester, { terms: ['Money', 'free'] }).bytes);
  assert.equal(b.hit, true);
  assert.equal(jobs.length, 1, 'a hit trains nothing');
  assert.deepEqual(b.modelHash, a.modelHash);
  assert.deepEqual(b.model, MODEL);
  assert.deepEqual(b.proof.txHash, a.event, 'the hit proves the event that trained the model');
  assert.ok(verifyTxProof(b.proof, { proposerKey: sn.publicKey }));
  // both events and both requests are on the chain
  const types: string[] = [];
  for (let h = 1; h <= ledger.height; h++) types.push(...(await ledger.block(h)).txs.map((t) => t.type));
  assert.equal(types.filter((t) => t === 'data-event').length, 2);
  assert.equal(types.filter((t) => t === 'data-request').length, 2);
  assert.ok((await ledger.verify()).ok);
  // another question is a miss
  const c = await node.submit(request(requester, { providers: 4 }).bytes);
  assert.equal(c.hit, false);
  assert.equal(jobs.length, 2);
});

test('unsigned, badly signed and replayed requests are rejected, and nothing is recorded', async () => {
  ctr = 0;
  const { ledger, node, log } = await setup();
  const body = { categories: ['c0'], terms: ['free'], timestamp: 5_000, ctr: 1 };
  await rejects(node.submit(rawRequest(requester, body, false)), 'unsigned');
  const forged = rawRequest(requester, body);
  forged[forged.length - 1] ^= 1;
  await rejects(node.submit(forged), 'bad_signature');
  const ok = request(requester);
  await node.submit(ok.bytes);
  const h = ledger.height;
  await rejects(node.submit(ok.bytes), 'replay');
  await rejects(node.submit(request(requester, { ctr: 1 }).bytes), 'replay');
  assert.equal(ledger.height, h);
  assert.ok(log.some((e) => e.event === 'share_rejected' && e.reason === 'replay'), 'the rejection is logged with its reason');
});

test('unknown requesters are rejected', async () => {
  const { node } = await setup();
  await rejects(node.submit(request(signer('stranger', 99), { ctr: 1 }).bytes), 'unknown_requester');
});

test('empty and oversized queries are rejected', async () => {
  const { node } = await setup();
  await rejects(node.submit(rawRequest(requester, { categories: ['c0'], terms: [], timestamp: 5_000, ctr: 1 })), 'empty_query');
  await rejects(node.submit(rawRequest(requester, { categories: [], timestamp: 5_000, ctr: 1 })), 'empty_query');
  await rejects(node.submit(rawRequest(requester, { categories: ['c0'], terms: Array.from({ length: 33 }, (_, i) => `t${i}`), timestamp: 5_000, ctr: 1 })), 'oversized');
  await rejects(node.submit(rawRequest(requester, { categories: ['c0'], terms: ['x'.repeat(33)], timestamp: 5_000, ctr: 1 })), 'oversized');
  await rejects(node.submit(new Uint8Array(MAX_REQUEST_BYTES + 1)), 'oversized');
  await rejects(node.submit(new Uint8Array([0x83, 1, 2])), 'malformed');
  await rejects(node.submit(request(requester, { terms: ['nothing'], ctr: 1 }).bytes), 'no_key_terms');
});

test('providers over their ε budget are not selected, and the run says so; spent ε adds up on the chain', async () => {
  ctr = 0;
  // providers 0 and 2 can afford one ε = 4 answer, not two
  const { ledger, node, log } = await setup(providers.map((_, i) => (i === 0 || i === 2 ? 5_000 : 100_000)));
  const a = await node.submit(request(requester, { providers: 8, epsilon: 4_000 }).bytes);
  assert.equal(a.skipped.length, 0);
  assert.equal(getSpent(ledger.stateView, 'p0'), 4_000);
  const b = await node.submit(request(requester, { providers: 8, epsilon: 4_000, terms: ['other'] }).bytes);
  assert.deepEqual(b.skipped.map((s) => s.provider).sort(), ['p0', 'p2']);
  assert.ok(!b.providers.includes('p0') && !b.providers.includes('p2'));
  assert.ok(log.some((e) => e.event === 'share_skipped' && e.provider === 'p0'));
  assert.equal(getSpent(ledger.stateView, 'p1'), 8_000, 'basic composition: 4 + 4');
  assert.equal(getSpent(ledger.stateView, 'p0'), 4_000);
  // the chain itself refuses an event that would pass a budget
  const req = request(requester, { epsilon: 4_000, terms: ['third'] });
  await ledger.append(sn, [req], {}, 20_000);
  await assert.rejects(ledger.append(sn, [dataEventTx(sn, { request: req.hash, providers: ['p0'], modelHash: sha256(MODEL), timestamp: 20_000, epsilon: [4_000] })], {}, 20_000),
    (e: unknown) => e instanceof LedgerError && e.reason === 'over_budget');
  // nobody left with budget: a clear rejection
  const { node: n2 } = await setup(providers.map(() => 1_000));
  await rejects(n2.submit(request(requester, { epsilon: 4_000, ctr: 1 }).bytes), 'no_providers');
});

test('a registration with a malformed profile is rejected by the chain', async () => {
  const ledger = await Ledger.openMemory({ genesis: genesis([sn]) });
  const p = providers[0];
  await ledger.append(sn, [registrationTx(sn, { id: p.id, publicKey: p.publicKey, profile: { categories: ['c0'], types: [], size: 1 } })], {}, 2_000);
  const good = profileBody(0);
  const bad: [string, Partial<DataProfileBody>, RegExp][] = [
    ['an ID its terms do not derive', { dataId: idHex(dataId(1, good.terms)) }, /not the one its key terms/],
    ['unsorted key terms', { terms: [...good.terms].reverse() }, /sorted/],
    ['no category', { categories: [] }, /at least one category/],
    ['a main category outside c0…c15', { categories: ['spam'] }, /main category/],
    ['zero size', { size: 0 }, /size/],
    ['no budget', { budget: 0 }, /budget/],
    ['a zero weight', { terms: [{ hash: good.terms[0].hash, weight: 0 }, ...good.terms.slice(1)] }, /weight/],
  ];
  for (const [what, change, msg] of bad) {
    let err: unknown;
    try { await ledger.append(sn, [dataProfileTx(p, { ...good, ...change })], {}, 3_000); } catch (e) { err = e; }
    assert.ok(err instanceof LedgerError && err.reason === 'malformed' && msg.test(err.detail), `${what}: ${String(err)}`);
  }
  await ledger.append(sn, [dataProfileTx(p, good)], {}, 3_000);
  await assert.rejects(ledger.append(sn, [dataProfileTx(p, good)], {}, 3_000), (e: unknown) => e instanceof LedgerError && e.reason === 'replay');
  await assert.rejects(ledger.append(sn, [dataProfileTx(signer('nobody', 77), { ...good })], {}, 3_000), (e: unknown) => e instanceof LedgerError && e.reason === 'unknown_author');
});

test('Eq. 1\'s physical factor: among equally relevant providers the nearer are chosen', async () => {
  const ledger = await Ledger.openMemory({ genesis: genesis([sn]) });
  const ps = providers.slice(0, 4);
  await ledger.append(sn, [...ps, requester].map((p) => registrationTx(sn, { id: p.id, publicKey: p.publicKey, profile: { categories: ['c0'], types: [], size: 1 } })), {}, 2_000);
  const terms = termsOf(0), id = idHex(dataId(0, terms));
  // same data everywhere; p0 and p3 are 5 km away, p1 and p2 next door
  const pos: [number, number][] = [[5000, 0], [1, 1], [0, 2], [0, 5000]];
  await ledger.append(sn, ps.map((p, i) => dataProfileTx(p, { dataId: id, categories: ['c0'], types: ['text/mail'], size: 10, terms, budget: 1000, position: pos[i], ctr: 1 })), {}, 3_000);
  const trainer: Trainer = { async train(j) { return { model: MODEL, rounds: 1, epsilon: j.providers.map(() => 0), trainingMs: 0, consensusMs: 0 }; } };
  const node = new SuperNode({ ledger, signer: sn, trainer, position: [0, 0], locate: () => ({ id: dataId(0, termsOf(9)), terms: termsOf(9) }) });
  const out = await node.submit(request(requester, { providers: 2, ctr: 1 }).bytes);
  assert.deepEqual(out.providers, ['p1', 'p2']);
});

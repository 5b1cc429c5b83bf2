// End to end (seed 001 Fig. 3): the `share` command's flow on the real corpus — a signed request,
// a miss trained by the retrieved providers on emulated boards (firmware, embedded broker,
// PoQ), the data-sharing event on the chain, the requester's AUC on its held-out mails; the
// same request again, from a reopened chain, is a cache hit; DP spends ε on the chain and a
// provider out of budget is not selected.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { SuperNode, ShareError } from '../../gateway/share/super-node.js';
import { verifyTxProof } from '../../gateway/ledger/index.js';
import { getSpent } from '../../gateway/ledger/tx/data-state.js';
import { openNetwork } from '../../sim/share/network.js';
import { fleetTrainer, TRAIN_DEFAULTS } from '../../sim/share/train.js';
import { signRequest, answerAuc } from '../../sim/share/requester.js';
import { tempDir } from '../support/tmp.js';
import { SPAM_CACHE } from '../support/spam-cache.js';

const SMALL = { ...TRAIN_DEFAULTS, rounds: 1, epochs: 2 };

test('a request is trained on a miss, answered from the cache on a repeat, and both are on a verifying chain', async () => {
  const tmp = tempDir('share-e2e-');
  try {
    const open = () => openNetwork({ dataDir: tmp.dir, cacheDir: SPAM_CACHE, providers: 6, seed: 1, budget: 10 });
    let net = await open();
    const terms = ['free', 'money', 'click'];
    let node = new SuperNode({ ledger: net.ledger, signer: net.superNode, trainer: fleetTrainer(net, tmp.dir, SMALL), locate: net.locate });
    const req = () => signRequest(net.requester, net.ledger, { terms, categories: net.categoriesFor(terms), providers: 3, epsilon: 0, queries: net.queries });
    const miss = await node.submit(req().bytes);
    assert.equal(miss.hit, false);
    assert.equal(miss.providers.length, 3);
    assert.equal(miss.rounds, 1);
    assert.equal(miss.jobVerified, true);
    const a = answerAuc(miss.model, net.queries);
    assert.ok(a > 0.85, `AUC after one round ${a}`);
    await net.close();
    // a new process would reopen the chain: the answer is found in the cache
    net = await open();
    node = new SuperNode({ ledger: net.ledger, signer: net.superNode, trainer: { train: () => { throw new Error('a hit must not train'); } }, locate: net.locate });
    const hit = await node.submit(req().bytes);
    assert.equal(hit.hit, true);
    assert.deepEqual(hit.modelHash, miss.modelHash);
    assert.ok(verifyTxProof(hit.proof, { proposerKey: net.superNode.publicKey }));
    assert.equal(answerAuc(hit.model, net.queries), a);
    assert.ok((await net.ledger.verify()).ok);
    await net.close();
  } finally { tmp.cleanup(); }
});

test('DP answers spend ε on the chain; a provider whose budget would be passed is left out', async () => {
  const tmp = tempDir('share-dp-');
  try {
    const net = await openNetwork({ dataDir: tmp.dir, cacheDir: SPAM_CACHE, providers: 4, seed: 1, budget: 6 });
    const node = new SuperNode({ ledger: net.ledger, signer: net.superNode, trainer: fleetTrainer(net, tmp.dir, SMALL), locate: net.locate });
    const ask = (terms: string[], providers: number) => node.submit(signRequest(net.requester, net.ledger, { terms, categories: net.categoriesFor(terms), providers, epsilon: 4, queries: net.queries }).bytes);
    const first = await ask(['free', 'money'], 2);
    for (const p of first.providers) assert.equal(getSpent(net.ledger.stateView, p), 4000);
    const second = await ask(['linux', 'list'], 4);
    assert.deepEqual(second.skipped.map((s) => s.provider).sort(), [...first.providers].sort());
    assert.equal(second.providers.length, 2);
    await assert.rejects(ask(['mailing', 'users'], 4), (e: unknown) => e instanceof ShareError && e.reason === 'no_providers');
    await net.close();
  } finally { tmp.cleanup(); }
});

test('npm run share: the command answers a miss, then the same request from the cache', () => {
  const tmp = tempDir('share-cli-');
  try {
    const run = () => JSON.parse(execFileSync(process.execPath, ['build/sim/share/cli.js', 'request', 'free', 'money', '--providers', '2', '--network', '4', '--data-dir', tmp.dir, '--cache-dir', SPAM_CACHE, '--json'], { encoding: 'utf8' }).trim().split('\n').at(-1)!);
    const a = run(), b = run();
    assert.equal(a.hit, false); assert.equal(b.hit, true);
    assert.equal(a.model, b.model);
    assert.ok(a.ledger_verified && b.ledger_verified && a.proof_ok && b.proof_ok);
    assert.equal(b.rounds, 0);
    assert.deepEqual(b.providers, a.providers);
  } finally { tmp.cleanup(); }
});

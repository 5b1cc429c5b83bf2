// `npm run share -- request <terms> [--providers N] [--epsilon E]`: one data-sharing request
// through the whole flow of seed 001 (PoQ) Fig. 3 — the requester signs it, the super node
// verifies it and looks in the chain's request cache; on a miss the retrieved providers train
// the answer on emulated boards (embedded broker, PoQ) and the event is recorded — then the
// requester scores its held-out mails with the model. `npm run share -- experiments` measures
// the REPORT figures (sim/share/experiments.ts).
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { toHex } from '../../protocol/bytes.js';
import { verifyTxProof } from '../../gateway/ledger/index.js';
import { SuperNode, ShareError } from '../../gateway/share/super-node.js';
import { openNetwork, NETWORK_DEFAULTS } from './network.js';
import { fleetTrainer, TRAIN_DEFAULTS } from './train.js';
import { parseTerms, signRequest, answerAuc } from './requester.js';

const HELP = `usage: npm run share -- request <terms> [options]
       npm run share -- experiments [--quick]
options:
  --providers N     providers to retrieve (default 3)
  --epsilon E       total ε the answer may spend per provider (default: no differential privacy)
  --data-dir DIR    the network's chain, corpus cache and training jobs (default data/share)
  --cache-dir DIR   where the derived corpus is cached (default: the data dir)
  --network P       providers registered in the network (default ${NETWORK_DEFAULTS.providers})
  --budget B        each provider's ε budget when the network is created (default ${NETWORK_DEFAULTS.budget})
  --json            print one JSON summary line
  --help`;

async function main(): Promise<void> {
  let parsed;
  try { parsed = parseArgs({
    allowPositionals: true,
    options: {
      providers: { type: 'string' }, epsilon: { type: 'string' }, 'data-dir': { type: 'string' }, 'cache-dir': { type: 'string' }, network: { type: 'string' },
      budget: { type: 'string' }, json: { type: 'boolean' }, quick: { type: 'boolean' }, help: { type: 'boolean' },
    },
  }); } catch (e) { console.error(`share: ${(e as Error).message}\n${HELP}`); process.exit(2); }
  const { values, positionals } = parsed;
  if (values.help || positionals.length === 0) { console.log(HELP); return; }
  const fail = (m: string): never => { console.error(`share: ${m}`); process.exit(2); };
  if (positionals[0] === 'experiments') {
    const { runExperiments } = await import('./experiments.js');
    await runExperiments({ quick: values.quick ?? false });
    return;
  }
  if (positionals[0] !== 'request') fail(`unknown command ${positionals[0]} (see --help)`);
  let terms: string[] = [];
  try { terms = parseTerms(positionals.slice(1).join(' ')); } catch (e) { fail((e as Error).message); }
  const providers = values.providers === undefined ? 3 : Number(values.providers);
  if (!Number.isInteger(providers) || providers < 1 || providers > 64) fail('--providers must be an integer in [1, 64]');
  const epsilon = values.epsilon === undefined ? 0 : Number(values.epsilon);
  if (!(Number.isFinite(epsilon) && epsilon >= 0 && epsilon <= 1000)) fail('--epsilon must be a number in [0, 1000] (0: no DP)');
  const size = values.network === undefined ? NETWORK_DEFAULTS.providers : Number(values.network);
  if (!Number.isInteger(size) || size < 1 || size > 200) fail('--network must be an integer in [1, 200]');
  const budget = values.budget === undefined ? NETWORK_DEFAULTS.budget : Number(values.budget);
  if (!(budget > 0 && budget <= 1e6)) fail('--budget must be a positive number');
  const dataDir = resolve(values['data-dir'] ?? 'data/share');
  const say = (s: string) => { if (!values.json) console.log(s); };

  const net = await openNetwork({ dataDir, cacheDir: values['cache-dir'] && resolve(values['cache-dir']), providers: size, seed: NETWORK_DEFAULTS.seed, budget }, (stage, done, total) => {
    process.stderr.write(`\rcorpus (one time): ${stage} ${done}/${total}   `);
  });
  process.stderr.write(net.fromCache ? '' : '\n');
  say(`network: ${size} providers, chain height ${net.ledger.height} in ${dataDir}; corpus ${net.fromCache ? 'from cache' : 'derived'} in ${net.corpusMs} ms`);
  const node = new SuperNode({
    ledger: net.ledger, signer: net.superNode, trainer: fleetTrainer(net, dataDir), locate: net.locate,
    log: process.env.EDGECHAIN_DEBUG ? (e) => console.error(JSON.stringify(e)) : undefined,
  });
  try {
    const req = signRequest(net.requester, net.ledger, { terms, categories: net.categoriesFor(terms), providers, epsilon, queries: net.queries });
    const out = await node.submit(req.bytes);
    const tAuc = Date.now();
    const a = answerAuc(out.model, net.queries);
    const proofOk = verifyTxProof(out.proof, { proposerKey: net.superNode.publicKey });
    const verified = (await net.ledger.verify()).ok;
    const summary = {
      hit: out.hit, terms, categories: req.body.categories, providers: out.providers, skipped: out.skipped, rounds: out.rounds, job_verified: out.jobVerified, hops: out.hops, messages: out.messages,
      auc: Number(a.toFixed(4)), queries: net.queries.n, model: toHex(out.modelHash), proof_ok: proofOk, ledger_height: net.ledger.height, ledger_verified: verified,
      ms: out.ms, answer_ms: Date.now() - tAuc,
    };
    say(`request: ${terms.join(' ')} → categories ${req.body.categories.join(',')}, ${providers} providers, ${epsilon > 0 ? `ε ${epsilon}` : 'no DP'}`);
    say(`cache ${out.hit ? 'HIT' : 'MISS'}`);
    for (const s of out.skipped) say(`  not selected: ${s.provider} (${s.reason}: ${s.detail})`);
    say(`parties: ${out.providers.join(', ')}${out.hit ? ' (the cached answer\'s)' : ` (retrieval: ${out.hops} hops, ${out.messages} messages)`}`);
    say(`rounds: ${out.rounds}${out.hit ? ' (none: served from the cache)' : `, PoQ; the training chain ${out.jobVerified ? 're-verifies' : 'DOES NOT re-verify'}`}`);
    say(`model ${toHex(out.modelHash).slice(0, 16)}…, proof of its data-sharing event ${proofOk ? 'verifies' : 'DOES NOT verify'}`);
    say(`AUC on the requester's ${net.queries.n} held-out mails: ${a.toFixed(4)}`);
    say(`time: ${out.ms.total} ms (verify ${out.ms.verify}, retrieval ${out.ms.retrieval}, training ${out.ms.training}, consensus ${out.ms.consensus}, chain ${out.ms.chain})`);
    say(`ledger: height ${net.ledger.height}, verify ${verified ? 'ok' : 'FAILED'}`);
    if (values.json) console.log(JSON.stringify(summary));
    if (!verified || !proofOk) process.exitCode = 1;
  } catch (e) {
    if (e instanceof ShareError) fail(`request rejected (${e.reason}): ${e.detail}`);
    throw e;
  } finally {
    await net.close();
  }
}

main().catch((e) => { console.error(e); process.exit(1); });

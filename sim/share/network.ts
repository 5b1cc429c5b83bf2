// The data-sharing network the `share` command runs (seed 001 (PoQ) Fig. 2–3): P providers,
// each an emulated board holding a shard of the SpamAssassin corpus (boards/data/spam.ts, the
// paper's sort → shards → re-combined subsets), one requester and one super node, on one
// permissioned chain under the data dir. At its first opening the chain records the
// registrations (the super node admits each party) and every provider's signed data profile
// (categories, hashed key terms, data ID, ε budget). Reopening continues the same chain, so a
// second identical request finds the first one's answer in the cache.
import { join, resolve } from 'node:path';
import { Ledger, nodeSigner, registrationTx, dataProfileTx, type GenesisConfig, type Signer, type DataRequestBody } from '../../gateway/ledger/index.js';
import { deviceSeed } from '../../gateway/cluster/setup.js';
import { demoSeed } from '../../protocol/keys.js';
import { dataId, idHex, type KeyTerm } from '../../protocol/data-id.js';
import { loadSpamCorpus, providerShards, spamDataset, type SpamCorpus } from '../../boards/data/spam.js';
import { dataProfile, entryHashes, keyTerms, categoryName, categoryIndex, type DataProfile } from '../../boards/text/profile.js';
import { queryVector } from '../../boards/text/pipeline.js';
import { nearestCategory } from '../../boards/text/kmeans.js';
import type { Dataset } from '../../boards/firmware/kernel.js';
import { boardProfile } from '../../boards/profiles.js';

export interface NetworkOptions {
  dataDir: string;
  /** Where the derived corpus is cached (default: dataDir). */
  cacheDir?: string;
  /** Registered providers (default 12). */
  providers: number;
  seed: number;
  /** Each provider's total ε budget (default 10). */
  budget: number;
  /** The providers' board profile (its position, if any, goes into the data profile). */
  board?: string;
}

export const NETWORK_DEFAULTS = { providers: 12, seed: 1, budget: 10 };

export interface ShareNetwork {
  corpus: SpamCorpus;
  ledger: Ledger;
  superNode: Signer;
  requester: Signer;
  providerIds: string[];
  /** Each provider's local data (row indices into the corpus) and its profile. */
  shards: Map<string, number[]>;
  profiles: Map<string, DataProfile>;
  /** The requester's held-out queries. */
  queries: Dataset;
  corpusMs: number;
  fromCache: boolean;
  /** Where a request points in the retrieval space (the super node's Locate). */
  locate(req: Pick<DataRequestBody, 'terms' | 'categories'>): { id: bigint; terms: KeyTerm[] } | undefined;
  /** The categories a requester names for its terms (the nearest centroid). */
  categoriesFor(terms: string[]): string[];
  close(): Promise<void>;
}

export const providerId = (i: number): string => `provider-${String(i).padStart(2, '0')}`;
export const REQUESTER = 'requester-0';

/** The chain's genesis: the super node is its only manager. */
export function shareGenesis(seed: number): GenesisConfig {
  const sn = nodeSigner('super-node-0', demoSeed('super-node-0', seed));
  return { chainId: 'edgechain-fl/share', managers: [{ id: sn.id, publicKey: sn.publicKey }], params: { task: 'share' }, timestamp: 0 };
}

/** Opens (or creates) the network under `o.dataDir`. `onProgress` reports the one-time corpus derivation. */
export async function openNetwork(o: NetworkOptions, onProgress?: (stage: string, done: number, total: number) => void): Promise<ShareNetwork> {
  const dataDir = resolve(o.dataDir);
  const t0 = Date.now();
  const corpus = loadSpamCorpus(resolve(o.cacheDir ?? dataDir), undefined, onProgress);
  const corpusMs = Date.now() - t0;
  const hashes = entryHashes(corpus.vocabulary);
  const providerIds = Array.from({ length: o.providers }, (_, i) => providerId(i));
  const rows = providerShards(corpus, o.providers, o.seed);
  const shards = new Map(providerIds.map((id, i) => [id, rows[i]]));
  const profiles = new Map(providerIds.map((id, i) => [id, dataProfile(corpus.x, corpus.dim, rows[i], corpus.category, hashes)]));
  const superNode = nodeSigner('super-node-0', demoSeed('super-node-0', o.seed));
  const requester = nodeSigner(REQUESTER, deviceSeed(REQUESTER, o.seed));
  const ledger = await Ledger.open(join(dataDir, `chain-p${o.providers}-s${o.seed}`), { genesis: shareGenesis(o.seed) });
  if (ledger.height === 0) {
    const signers = providerIds.map((id) => nodeSigner(id, deviceSeed(id, o.seed)));
    const regs = [...signers.map((s, i) => registrationTx(superNode, { id: s.id, publicKey: s.publicKey, profile: { categories: profiles.get(s.id)!.categories, types: ['text/mail'], size: rows[i].length } })),
      registrationTx(superNode, { id: requester.id, publicKey: requester.publicKey, profile: { categories: ['requester'], types: [], size: 0 } })];
    await ledger.append(superNode, regs, { engine: 'share' }, Date.now());
    const position = boardProfile(o.board ?? 'emulated').position;
    const profs = signers.map((s) => {
      const p = profiles.get(s.id)!;
      return dataProfileTx(s, { dataId: idHex(p.id), categories: p.categories, types: p.types, size: p.size, terms: p.terms, budget: Math.round(o.budget * 1000), ...(position ? { position } : {}), ctr: 1 });
    });
    await ledger.append(superNode, profs, { engine: 'share' }, Date.now());
  }
  const v = corpus.vocabulary;
  const categoriesFor = (terms: string[]) => [categoryName(nearestCategory(queryVector(terms.join(' '), v), corpus.centroids))];
  return {
    corpus, ledger, superNode, requester, providerIds, shards, profiles, queries: spamDataset(corpus, corpus.holdout), corpusMs, fromCache: corpus.fromCache,
    categoriesFor,
    locate(req) {
      const q = queryVector((req.terms ?? []).join(' '), v);
      const terms = keyTerms(q, hashes);
      if (terms.length === 0) return undefined;
      const named = req.categories.map(categoryIndex).find((c) => c !== undefined && c < corpus.centroids.length);
      return { id: dataId(named ?? nearestCategory(q, corpus.centroids), terms), terms };
    },
    close: () => ledger.close(),
  };
}

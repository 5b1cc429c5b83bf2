// The requester's nearby super node (seed 001 (PoQ) §II-B, §III-C, Fig. 3). It takes a signed
// data-sharing request (bytes from the network: untrusted), verifies it against the chain —
// the requester registered and active, its signature, its counter (no replay), the request's
// size and terms — then:
//   hit  — the chain's request cache (data-state.ts) holds an answer to the same canonical
//          request: it records the request and a data-sharing event that repeats the cached
//          one, and returns the cached model's hash with the inclusion proof of the event that
//          trained it; nothing is trained;
//   miss — it retrieves the related parties (retrieval.ts over the registered profiles' IDs,
//          ranked by Eq. 1), leaves out providers whose ε budget the request would pass, has
//          them train the answer (the injected Trainer: federated rounds decided by PoQ) and
//          records the data-sharing event naming requester, providers, model and ε spent.
// Every rejection is a ShareError with a reason; the caller logs it and keeps serving.
import { decodeAnyTx, applyTx } from '../ledger/tx/registry.js';
import { dataEventTx, type Tx, type DataRequestBody } from '../ledger/tx/index.js';
import { LedgerError } from '../ledger/errors.js';
import { StateOverlay } from '../ledger/state.js';
import type { Ledger } from '../ledger/ledger.js';
import type { Signer } from '../ledger/signer.js';
import type { TxProof } from '../ledger/proofs.js';
import { SK, canonicalKey, getCached, getProfile, getSpent, type ProfileRecord } from '../ledger/tx/data-state.js';
import { logicDistance, physicalFactor, idFromHex, type KeyTerm } from '../../protocol/data-id.js';
import { toHex } from '../../protocol/bytes.js';
import { buildNetwork, lookup, type RetrievalNetwork } from './retrieval.js';

/** Largest request accepted (bytes, before decoding). */
export const MAX_REQUEST_BYTES = 8 * 1024;
/** Providers asked for when a request does not say. */
export const DEFAULT_PROVIDERS = 3;

export type ShareReason = 'oversized' | 'malformed' | 'unsigned' | 'bad_signature' | 'unknown_requester' | 'replay'
  | 'empty_query' | 'no_key_terms' | 'no_providers' | 'not_a_request';

/** A rejected request, with the reason a log line and a test can name. */
export class ShareError extends Error {
  constructor(readonly reason: ShareReason, readonly detail: string) { super(`${reason}: ${detail}`); this.name = 'ShareError'; }
}

/** Where a request points in the retrieval space: its ID and key terms (boards/text on the
 *  requester's side of the vocabulary). Undefined when none of its terms is a key term. */
export type Locate = (req: DataRequestBody) => { id: bigint; terms: KeyTerm[] } | undefined;

/** A training job for the retrieved parties. `epsilon` is the request's total ε ×1000 (0: no DP). */
export interface TrainJob { key: string; providers: string[]; epsilon: number }
/** What the parties return: the global model, the rounds run, each provider's ε spent (×1000,
 *  in `providers` order) and the time spent training and in consensus. */
export interface TrainResult {
  model: Uint8Array; rounds: number; epsilon: number[]; trainingMs: number; consensusMs: number;
  /** Whether the training job's own chain re-verified (blocks and PoQ decisions), and where it is. */
  jobVerified?: boolean; jobDir?: string;
}
/** The related parties' federated training (sim/share/train.ts runs it on emulated boards). */
export interface Trainer { train(job: TrainJob): Promise<TrainResult> }

/** A provider passed over and why. */
export interface Skipped { provider: string; reason: 'over_budget'; detail: string }

export interface ShareOutcome {
  hit: boolean;
  request: Uint8Array;
  event: Uint8Array;
  modelHash: Uint8Array;
  model: Uint8Array;
  providers: string[];
  /** Inclusion proof of the data-sharing event that trained the model. */
  proof: TxProof;
  skipped: Skipped[];
  rounds: number;
  /** The training job's chain re-verified (undefined on a hit or when the trainer does not say). */
  jobVerified?: boolean;
  hops: number;
  messages: number;
  /** Milliseconds: verification, retrieval, training, consensus (inside training), chain. */
  ms: { verify: number; retrieval: number; training: number; consensus: number; chain: number; total: number };
}

export interface SuperNodeOptions {
  ledger: Ledger;
  /** The super node's manager key. */
  signer: Signer;
  trainer: Trainer;
  locate: Locate;
  now?: () => number;
  /** This super node's position, metres (Eq. 1's physical distance to each provider). */
  position?: [number, number];
  /** Rejections and outcomes, one line each. */
  log?: (e: Record<string, unknown>) => void;
}

/** A registered provider as the super node sees it on the chain. */
export interface ProviderView { provider: string; profile: ProfileRecord; spent: number }

/** The super node's request handler.
 *  @example const out = await new SuperNode({ ledger, signer, trainer, locate }).submit(reqTx.bytes) */
export class SuperNode {
  private readonly now: () => number;
  private net?: { height: number; providers: ProviderView[]; net: RetrievalNetwork };
  constructor(private readonly o: SuperNodeOptions) { this.now = o.now ?? Date.now; }

  /** Every provider with a data profile on the chain, by id. */
  providers(): ProviderView[] {
    const out: ProviderView[] = [];
    const prefix = SK.profile('');
    for (const [k] of this.o.ledger.stateEntries()) {
      if (!k.startsWith(prefix)) continue;
      const id = k.slice(prefix.length);
      out.push({ provider: id, profile: getProfile(this.o.ledger.stateView, id)!, spent: getSpent(this.o.ledger.stateView, id) });
    }
    return out;
  }

  /** Decodes and verifies a request against the chain without recording it. Throws ShareError. */
  verify(bytes: Uint8Array): Tx<DataRequestBody> {
    if (bytes.length > MAX_REQUEST_BYTES) throw new ShareError('oversized', `${bytes.length} bytes exceed ${MAX_REQUEST_BYTES}`);
    let tx: Tx;
    try { tx = decodeAnyTx(bytes); } catch (e) {
      if (!(e instanceof LedgerError)) throw e;
      if (/signature must be 64 bytes/.test(e.detail)) throw new ShareError('unsigned', 'the request carries no signature');
      if (e.reason === 'too_large') throw new ShareError('oversized', e.detail);
      if (/names at least one/.test(e.detail)) throw new ShareError('empty_query', e.detail);
      throw new ShareError('malformed', e.message);
    }
    if (tx.type !== 'data-request') throw new ShareError('not_a_request', `a ${tx.type} transaction is not a data-sharing request`);
    const l = this.o.ledger;
    try {
      applyTx(new StateOverlay(l.stateView), tx, { height: l.height + 1, time: this.now(), chainId: l.chainId });
    } catch (e) {
      if (!(e instanceof LedgerError)) throw e;
      const map: Partial<Record<string, ShareReason>> = { unknown_author: 'unknown_requester', revoked: 'unknown_requester', blacklisted: 'unknown_requester', bad_signature: 'bad_signature', replay: 'replay' };
      throw new ShareError(map[e.reason] ?? 'malformed', e.message);
    }
    return tx as Tx<DataRequestBody>;
  }

  /** Serves one request end to end. Throws ShareError (nothing recorded) or LedgerError. */
  async submit(bytes: Uint8Array): Promise<ShareOutcome> {
    const t0 = this.now();
    let tx: Tx<DataRequestBody>;
    try { tx = this.verify(bytes); } catch (e) {
      if (e instanceof ShareError) this.o.log?.({ event: 'share_rejected', reason: e.reason, detail: e.detail });
      throw e;
    }
    const b = tx.body;
    const key = canonicalKey({ terms: b.terms ?? [], categories: b.categories, providers: b.providers ?? 0, epsilon: b.epsilon ?? 0 });
    const tVerify = this.now();
    const hit = getCached(this.o.ledger.stateView, key);
    if (hit) return this.fromCache(tx, hit, t0, tVerify);
    return this.train(tx, key, t0, tVerify);
  }

  private async fromCache(tx: Tx<DataRequestBody>, hit: NonNullable<ReturnType<typeof getCached>>, t0: number, tVerify: number): Promise<ShareOutcome> {
    const l = this.o.ledger, time = Math.max(this.now(), l.head().time);
    const ev = dataEventTx(this.o.signer, { request: tx.hash, providers: hit.providers, modelHash: hit.modelHash, timestamp: time, source: hit.event });
    await l.append(this.o.signer, [tx, ev], { engine: 'share' }, time);
    const [proof, model] = await Promise.all([l.proveTx(hit.event), l.getBlob(hit.modelHash)]);
    if (!model) throw new LedgerError('not_found', 'the cached model is not in the blob store');
    const end = this.now();
    const out: ShareOutcome = {
      hit: true, request: tx.hash, event: ev.hash, modelHash: hit.modelHash, model, providers: hit.providers, proof, skipped: [], rounds: 0, hops: 0, messages: 0,
      ms: { verify: tVerify - t0, retrieval: 0, training: 0, consensus: 0, chain: end - tVerify, total: end - t0 },
    };
    this.o.log?.({ event: 'share_hit', requester: tx.author, model: toHex(hit.modelHash).slice(0, 16), ms: out.ms.total });
    return out;
  }

  private network(): { providers: ProviderView[]; net: RetrievalNetwork } {
    const h = this.o.ledger.height;
    if (!this.net || this.net.height !== h) {
      const providers = this.providers();
      if (providers.length === 0) throw new ShareError('no_providers', 'no provider has registered a data profile');
      this.net = { height: h, providers, net: buildNetwork(providers.map((p) => idFromHex(p.profile.id))) };
    }
    return this.net;
  }

  private async train(tx: Tx<DataRequestBody>, key: Uint8Array, t0: number, tVerify: number): Promise<ShareOutcome> {
    const b = tx.body, l = this.o.ledger;
    const target = this.o.locate(b);
    if (!target) throw new ShareError('no_key_terms', 'none of the request\'s terms is a key term of the network');
    // retrieval (Eq. 2): candidates within the relevant distance, then ranked by Eq. 1
    const { providers, net } = this.network();
    const want = b.providers ?? DEFAULT_PROVIDERS, cost = b.epsilon ?? 0;
    const over = (p: ProviderView) => cost > 0 && p.spent + cost > p.profile.budget;
    const overCount = providers.filter(over).length;
    const r = lookup(net, target.id, 0, want + overCount);
    const skipped: Skipped[] = [];
    const ranked = r.found.map((i) => providers[i])
      .map((p) => ({ p, d: logicDistance(target.terms, p.profile.terms, physicalFactor(this.o.position, p.profile.position)) }))
      .sort((x, y) => x.d - y.d || (x.p.provider < y.p.provider ? -1 : 1));
    const chosen: string[] = [];
    for (const { p } of ranked) {
      if (chosen.length >= want) break;
      if (over(p)) { skipped.push({ provider: p.provider, reason: 'over_budget', detail: `spent ε ${p.spent / 1000} + ${cost / 1000} > budget ${p.profile.budget / 1000}` }); continue; }
      chosen.push(p.provider);
    }
    for (const s of skipped) this.o.log?.({ event: 'share_skipped', ...s });
    if (chosen.length === 0) throw new ShareError('no_providers', `no provider within reach has budget for ε ${cost / 1000}${skipped.length ? ` (${skipped.length} over budget)` : ''}`);
    const tRetrieval = this.now();
    // the request goes on the chain when it is accepted, the answer when it is trained
    await l.append(this.o.signer, [tx], { engine: 'share' }, Math.max(this.now(), l.head().time));
    const tTrain = this.now();
    const res = await this.o.trainer.train({ key: toHex(key), providers: chosen, epsilon: cost });
    const tTrained = this.now();
    const modelHash = await l.putBlob(res.model);
    const time = Math.max(this.now(), l.head().time);
    const ev = dataEventTx(this.o.signer, { request: tx.hash, providers: chosen, modelHash, timestamp: time, ...(cost > 0 ? { epsilon: res.epsilon } : {}) });
    await l.append(this.o.signer, [ev], { engine: 'share' }, time);
    const proof = await l.proveTx(ev.hash);
    const end = this.now();
    const out: ShareOutcome = {
      hit: false, request: tx.hash, event: ev.hash, modelHash, model: res.model, providers: chosen, proof, skipped, rounds: res.rounds, jobVerified: res.jobVerified, hops: r.hops, messages: r.messages,
      ms: { verify: tVerify - t0, retrieval: tRetrieval - tVerify, training: tTrained - tTrain - res.consensusMs, consensus: res.consensusMs, chain: (tTrain - tRetrieval) + (end - tTrained), total: end - t0 },
    };
    this.o.log?.({ event: 'share_miss', requester: tx.author, providers: chosen, rounds: res.rounds, ms: out.ms.total });
    return out;
  }
}

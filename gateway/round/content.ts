// The one mapping from a round's decision to what the chain records (docs/consensus.md
// §Block content): an update record per accepted update (score = the engine's score), the
// global-model record (hash, the updates it aggregates, held-out accuracy in ppm), and the
// payloads kept beside the chain (device envelopes, the model blob), and, for a task with an
// economy, the round's payout (reward.ts). Pure.
import { encodeCanonical, type CborValue } from '../../protocol/cbor.js';
import { sha256 } from '../../protocol/bytes.js';
import { encodeModel, type ModelHeader } from '../../protocol/model-blob.js';
import { updateRecordTx, globalModelTx, payoutTx, contributionTx, type Block, type Signer, type Tx, type ConsensusData, type UpdateRecordBody, type GlobalModelBody, type PayoutBody, type ContributionBody } from '../ledger/index.js';
import { payoutOf, contributionOf, type RoundReward } from './reward.js';
import type { Decision } from '../consensus/engine.js';
import type { AcceptedUpdate } from './check-update.js';

/** Held-out evaluation of a model; deterministic (the firmware's integer forward pass). */
export type Evaluate = (model: Uint8Array) => { accuracy: number; loss: number };

/** Everything a round's block carries, before a proposer signs it. */
export interface RoundContent {
  records: UpdateRecordBody[];
  modelRecord?: GlobalModelBody;
  /** The round's payout from the task's pool (when the task has an economy and a pool left). */
  payout?: PayoutBody;
  /** The round's 003 contribution record and Eq. 3 payout (a task with a 003 contract). */
  contribution?: ContributionBody;
  /** The new global model blob (undefined when nothing was accepted). */
  model?: Uint8Array;
  /** Payloads stored beside the chain after finality. */
  blobs: Uint8Array[];
  /** Header consensus fields (engine name, round, the engine's own fields). */
  cons: ConsensusData;
  evaluation?: { accuracy: number; loss: number };
}

/** The content a decision implies. `updates` are the round's admitted updates by device id. */
export function contentOf(task: string, round: number, d: Decision, updates: ReadonlyMap<string, AcceptedUpdate>, header: ModelHeader,
  cons: ConsensusData, evaluate?: Evaluate, reward?: RoundReward, round0?: { base: Uint8Array; prev: Uint8Array; pool: readonly string[] }): RoundContent {
  const ups = d.accepted.map((id) => {
    const u = updates.get(id);
    if (!u) throw new RangeError(`decision accepts ${id}, which has no admitted update`);
    return u;
  });
  const records = ups.map((u): UpdateRecordBody => ({
    task, round, deviceId: u.deviceId, envelopeHash: u.envelopeHash, updateHash: u.updateHash, n: u.fields.n, score: d.scores.get(u.deviceId) ?? 0, ctr: u.fields.ctr,
  }));
  const model = d.params ? encodeModel(header, d.params) : undefined;
  const evaluation = model && evaluate ? evaluate(model) : undefined;
  const modelRecord = model ? {
    task, round, modelHash: sha256(model), updates: ups.map((u) => u.envelopeHash),
    accuracy: evaluation ? Math.round(evaluation.accuracy * 1e6) : undefined,
    committee: d.nextCommittee.length ? [...d.nextCommittee] : undefined,
    trust: d.trust ? [...d.trust].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)) : undefined,
  } : undefined;
  const payout = reward ? payoutOf(reward, round, d) : undefined;
  const contribution = reward && round0 ? contributionOf(reward, round, d, updates, round0) : undefined;
  return { records, modelRecord, payout, contribution, model, blobs: [...ups.map((u) => u.envelope), ...(model ? [model] : [])], cons, evaluation };
}

/** The content as transactions signed by the proposer. */
export function contentTxs(c: RoundContent, s: Signer): Tx[] {
  return [...c.records.map((r) => updateRecordTx(s, r)), ...(c.modelRecord ? [globalModelTx(s, c.modelRecord)] : []), ...(c.payout ? [payoutTx(s, c.payout)] : []), ...(c.contribution ? [contributionTx(s, c.contribution)] : [])];
}

/** Drops undefined fields so decoded and freshly built bodies encode alike. */
function defined(v: unknown): CborValue {
  if (Array.isArray(v)) return v.map(defined);
  if (v && typeof v === 'object' && !(v instanceof Uint8Array) && !(v instanceof Map)) {
    return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined).map(([k, x]) => [k, defined(x)]));
  }
  return v as CborValue;
}

/** Canonical bytes of the content's transaction bodies, to compare with a proposed block. */
export function contentBodies(c: RoundContent): Uint8Array {
  return encodeCanonical(defined([c.records, c.modelRecord ?? null, ...(c.payout ? [c.payout] : []), ...(c.contribution ? [c.contribution] : [])]));
}

/** The same bytes from a block, or undefined when it carries anything but round records. */
export function blockBodies(b: Block): Uint8Array | undefined {
  if (b.txs.some((t) => t.type !== 'update' && t.type !== 'model' && t.type !== 'payout' && t.type !== 'contribution')) return undefined;
  const payouts = b.txs.filter((t) => t.type === 'payout').map((t) => t.body);
  const contributions = b.txs.filter((t) => t.type === 'contribution').map((t) => t.body);
  if (payouts.length > 1 || contributions.length > 1) return undefined;
  return encodeCanonical(defined([b.txs.filter((t) => t.type === 'update').map((t) => t.body), b.txs.find((t) => t.type === 'model')?.body ?? null, ...payouts, ...contributions]));
}

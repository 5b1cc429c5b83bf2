// The state's key schema and typed records. Every key the rules touch is built here, so the
// layout of the state (and thus its root) is defined in one place.
import type { StateReader, StateOverlay, StateValue } from './state.js';
import { LedgerError } from './errors.js';
import { toHex } from '../../protocol/bytes.js';
import type { IncentiveSplit } from './incentive.js';
import type { ReputationParams, StandingRecord } from './standing.js';

export type IdentityStatus = 'active' | 'blacklisted' | 'revoked';

/** A registered device (001 retrieval record + registry state). */
export interface DeviceRecord {
  publicKey: Uint8Array;
  profile: { categories: string[]; types: string[]; size: number };
  counter: number;          // highest accepted per-device message counter
  status: IdentityStatus;
  admittedBy: string;
  height: number;
}

/** A manager / super node named in genesis (permissioned chain, 000/002). */
export interface ManagerRecord { publicKey: Uint8Array; counter: number; status: IdentityStatus }

/** An update that was recorded but not yet aggregated (002 update block entry). */
export interface PendingUpdate { round: number; deviceId: string; score: number; n: number; height: number }

/** The current global model of a task (002 model block). */
export interface ModelRecord { round: number; modelHash: Uint8Array; updates: number; accuracy?: number; committee?: string[]; trust?: [string, number][]; height: number }

/** Life cycle of a task (004 step 1 → selection → rounds → close). */
export type TaskStatus = 'bidding' | 'selected' | 'closed';

/** Shares of every payout, in parts per million, summing to exactly 1,000,000 (003's ratios). */
export interface SplitRecord { trainers: number; miner: number }

/** Seed 003's contract of a task: Eq. 3 ratios, reputation parameters, and how the computing
 *  center values contributions (Shapley method and its budget of coalition evaluations). */
export interface IncentiveRecord { split: IncentiveSplit; rep: ReputationParams; method: string; budget: number }

/** A published FL task with its reward pool (004 step 1). `deposit` is the stake each bidder
 *  must lock; `pool` is what the publisher deposited, less what was paid out, plus forfeits. */
export interface TaskRecord {
  publisher: string; deposit: number; pool: number; rounds: number; slots: number; minSize: number; split: SplitRecord;
  status: TaskStatus; bidders: string[]; winners: string[]; height: number;
  /** Present when rounds pay by seed 003 (Shapley + reputation) instead of data size × score. */
  incentive?: IncentiveRecord;
  /** 002 permission fee each bidder pays into the pool before bidding (absent = none). */
  fee?: number;
  /** The rounds' aggregation rule, as published. */
  rule?: string;
}

/** Where a bid's stake is: escrowed (`bid`, `won`) or settled (`lost`, `returned`, `forfeited`). */
export type BidStatus = 'bid' | 'won' | 'lost' | 'returned' | 'forfeited';

/** A training node's bid with its stake (004 function 2): cost, capability, declared data size. */
export interface BidRecord { price: number; capability: number; size: number; stake: number; status: BidStatus; height: number }

/** An open data-sharing request (001). */
export interface RequestRecord { requester: string; categories: string[]; timestamp: number; height: number }

/** A model transaction (001 Table I). */
export interface ModelTxRecord { owner: string; receiver: string; modelHash: Uint8Array; mae: number; height: number }

export const K = {
  chain: 'chain',
  param: (k: string) => `param/${k}`,
  manager: (id: string) => `mgr/${id}`,
  device: (id: string) => `dev/${id}`,
  balance: (id: string) => `bal/${id}`,
  reputation: (id: string) => `rep/${id}`,
  task: (id: string) => `task/${id}`,
  model: (task: string) => `model/${task}`,
  pending: (task: string, envelopeHash: Uint8Array) => `upd/${task}/${toHex(envelopeHash)}`,
  bid: (task: string, bidder: string) => `bid/${task}/${bidder}`,
  request: (txHash: Uint8Array) => `req/${toHex(txHash)}`,
  modelTx: (txHash: Uint8Array) => `mtx/${toHex(txHash)}`,
  once: (id: Uint8Array) => `once/${toHex(id)}`,
  /** Total token supply (genesis balances, less burns): the invariant's left side. */
  supply: 'supply',
  /** Marks a payout of a task's round (to one recipient, or to the whole round with to = ""). */
  paid: (task: string, round: number, to: string) => `paid/${task}/${round}/${to}`,
  /** Height at which `id` paid the task's 002 permission fee. */
  permit: (task: string, id: string) => `permit/${task}/${id}`,
  /** A participant's 003 standing in a task (standing.ts). */
  standing: (task: string, id: string) => `standing/${task}/${id}`,
  /** The 003 contribution record of a task's round (φ per participant, method, cost). */
  contribution: (task: string, round: number) => `contrib/${task}/${round}`,
};

function typed<T>(v: StateValue | undefined): T | undefined {
  return v as unknown as T | undefined;
}

export const getDevice = (s: StateReader, id: string) => typed<DeviceRecord>(s.get(K.device(id)));
export const getManager = (s: StateReader, id: string) => typed<ManagerRecord>(s.get(K.manager(id)));
export const getTask = (s: StateReader, id: string) => typed<TaskRecord>(s.get(K.task(id)));
export const getBid = (s: StateReader, task: string, bidder: string) => typed<BidRecord>(s.get(K.bid(task, bidder)));
export const getSupply = (s: StateReader) => (s.get(K.supply) as number | undefined) ?? 0;
export const getModel = (s: StateReader, task: string) => typed<ModelRecord>(s.get(K.model(task)));
export const getBalance = (s: StateReader, id: string) => (s.get(K.balance(id)) as number | undefined) ?? 0;
export const getStanding = (s: StateReader, task: string, id: string) => typed<StandingRecord>(s.get(K.standing(task, id)));
export const getReputation = (s: StateReader, id: string) => (s.get(K.reputation(id)) as number | undefined) ?? 0;

/** Stores a record (records are plain CBOR data by construction). */
export function put(s: StateOverlay, key: string, rec: object | number): void {
  s.set(key, rec as unknown as StateValue);
}

/** Identity of a tx author: its key, status, counter and role. */
export interface Identity { id: string; role: 'manager' | 'device'; publicKey: Uint8Array; status: IdentityStatus; counter: number }

/** Looks up a manager or device by id. */
export function identity(s: StateReader, id: string): Identity | undefined {
  const m = getManager(s, id);
  if (m) return { id, role: 'manager', publicKey: m.publicKey, status: m.status, counter: m.counter };
  const d = getDevice(s, id);
  if (d) return { id, role: 'device', publicKey: d.publicKey, status: d.status, counter: d.counter };
  return undefined;
}

/** Throws unless `id` is a known identity that is neither revoked nor blacklisted. */
export function requireActive(s: StateReader, id: string): Identity {
  const who = identity(s, id);
  if (!who) throw new LedgerError('unknown_author', `unknown identity ${id}`);
  if (who.status !== 'active') throw new LedgerError(who.status, `identity ${id} is ${who.status}`);
  return who;
}

/** The task `id`; throws LedgerError('not_found') when no such task was published. */
export function requireTask(s: StateReader, id: string): TaskRecord {
  const task = getTask(s, id);
  if (!task) throw new LedgerError('not_found', `no task ${id}`);
  return task;
}

/** Accepts a per-identity message counter only if it exceeds the last one, then records it
 *  (issue 5 §6: every device message is bound to a per-device counter; replays are rejected). */
export function bumpCounter(s: StateOverlay, id: string, ctr: number): void {
  const who = requireActive(s, id);
  if (ctr <= who.counter) throw new LedgerError('replay', `counter ${ctr} of ${id} is not above ${who.counter}`);
  const key = who.role === 'manager' ? K.manager(id) : K.device(id);
  put(s, key, { ...(s.get(key) as object), counter: ctr });
}

/** Adds `delta` to a balance; throws insufficient_funds if it would go negative. */
export function addBalance(s: StateOverlay, id: string, delta: number): void {
  const b = getBalance(s, id) + delta;
  if (b < 0) throw new LedgerError('insufficient_funds', `balance of ${id} would be ${b}`);
  if (!Number.isSafeInteger(b)) throw new LedgerError('malformed', 'balance overflow');
  put(s, K.balance(id), b);
}

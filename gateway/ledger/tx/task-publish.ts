// Task publication (seed 004 (BC-FL) §III-B step 1): the publisher locks `pool` from its balance
// as the task's reward pool and sets what each bidder must stake (`deposit`), how many winners
// are selected (`slots`), the smallest declared data size accepted (`minSize`, the task's
// requirement) and how every payout splits between trainers and the miner (ppm summing to
// 1,000,000, seed 003's contract ratios). The task opens for bids.
import { LedgerError } from '../errors.js';
import { onlyKeys, uint, str, amount, asMap, opt, MAX_LIST } from '../fields.js';
import { K, put, getTask, addBalance, bumpCounter, type TaskRecord, type IncentiveRecord } from '../records.js';
import { checkReputationParams } from '../standing.js';
import { checkRatios } from '../split.js';
import { defined, type TxKind } from './kind.js';

export interface TaskPublishBody {
  task: string; pool: number; deposit: number; slots: number; minSize: number; rounds: number;
  split: { trainers: number; miner: number }; ctr: number;
  /** Seed 003's contract (optional): rounds then pay by Eq. 3 (contribution.ts). */
  incentive?: IncentiveRecord;
  /** 002 permission fee per bidder (optional; default none). */
  fee?: number;
  /** The aggregation rule the task's rounds use (gateway/aggregate name; optional, informative:
   *  the rounds' gateways are configured with it and the chain's genesis records it too). */
  rule?: string;
}

const METHODS = ['exact', 'tmc', 'gtg', 'stratified'];

function readIncentive(v: unknown): IncentiveRecord {
  const m = asMap(v, 'incentive');
  onlyKeys(m, ['split', 'rep', 'method', 'budget'], 'incentive');
  const sp = asMap(m.get('split'), 'incentive.split');
  onlyKeys(sp, ['providers', 'reputation', 'aggregator', 'center'], 'incentive.split');
  const rp = asMap(m.get('rep'), 'incentive.rep');
  onlyKeys(rp, ['b', 'd', 'alpha', 'w0', 'decay', 'threshold'], 'incentive.rep');
  const method = str(m, 'method', 16);
  if (!METHODS.includes(method)) throw new LedgerError('malformed', `contribution method ${method} is not one of ${METHODS.join(', ')}`);
  return {
    split: { providers: amount(sp, 'providers'), reputation: amount(sp, 'reputation'), aggregator: amount(sp, 'aggregator'), center: amount(sp, 'center') },
    rep: { b: uint(rp, 'b'), d: uint(rp, 'd'), alpha: uint(rp, 'alpha'), w0: uint(rp, 'w0'), decay: uint(rp, 'decay'), threshold: uint(rp, 'threshold') },
    method, budget: uint(m, 'budget'),
  };
}

export const taskPublishKind: TxKind<TaskPublishBody> = {
  type: 'task',
  author: 'participant',
  decode(m) {
    onlyKeys(m, ['task', 'pool', 'deposit', 'slots', 'minSize', 'rounds', 'split', 'ctr', 'incentive', 'fee', 'rule'], 'task');
    const sp = asMap(m.get('split'), 'split');
    onlyKeys(sp, ['trainers', 'miner'], 'split');
    const b = {
      task: str(m, 'task'), pool: amount(m, 'pool'), deposit: amount(m, 'deposit'), slots: uint(m, 'slots'), minSize: uint(m, 'minSize'),
      rounds: uint(m, 'rounds'), split: { trainers: amount(sp, 'trainers'), miner: amount(sp, 'miner') }, ctr: uint(m, 'ctr'),
      incentive: opt(m, 'incentive', (x, k) => readIncentive(x.get(k))), fee: opt(m, 'fee', amount), rule: opt(m, 'rule', (x, k) => str(x, k, 32)),
    };
    if (b.slots < 1 || b.slots > MAX_LIST) throw new LedgerError('malformed', `slots must be 1..${MAX_LIST}`);
    return b;
  },
  encode: (b) => defined({ ...b, split: { trainers: b.split.trainers, miner: b.split.miner }, incentive: b.incentive && { ...b.incentive, split: { ...b.incentive.split }, rep: { ...b.incentive.rep } } }),
  apply(s, tx, ctx) {
    const b = tx.body;
    bumpCounter(s, tx.author, b.ctr);
    checkRatios(b.split);
    if (b.incentive) { checkRatios({ ...b.incentive.split }); checkReputationParams(b.incentive.rep); }
    if (b.deposit < 1) throw new LedgerError('no_deposit', `task ${b.task} must require a bid deposit of at least 1`);
    if (getTask(s, b.task)) throw new LedgerError('duplicate', `task ${b.task} already published`);
    addBalance(s, tx.author, -b.pool);
    const rec: TaskRecord = {
      publisher: tx.author, deposit: b.deposit, pool: b.pool, rounds: b.rounds, slots: b.slots, minSize: b.minSize, split: { ...b.split },
      status: 'bidding', bidders: [], winners: [], height: ctx.height,
      ...(b.fee ? { fee: b.fee } : {}), ...(b.rule ? { rule: b.rule } : {}),
      ...(b.incentive ? { incentive: { ...b.incentive, split: { ...b.incentive.split }, rep: { ...b.incentive.rep } } } : {}),
    };
    put(s, K.task(b.task), rec);
  },
};

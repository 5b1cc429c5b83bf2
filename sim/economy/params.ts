// The demo's economic parameters (seed 004 task, seed 002 fee, seed 003 contract): defaults, a
// JSON task file (`--economy FILE`) and command-line overrides, validated up front with a reason.
import { readFileSync } from 'node:fs';
import { PPM, checkRatios, checkReputationParams, type IncentiveRecord } from '../../gateway/ledger/index.js';

/** Everything the demo's task publishes and the accounts it starts from. */
export interface EconomyParams {
  /** Ledger task id (the 004 task; the FL task keeps its own name). */
  task: string;
  /** Reward pool the requester locks, per-round payout (default ⌊pool / rounds⌋). */
  pool: number; perRound?: number;
  /** Stake per bid, winners (default every board), smallest declared data size. */
  deposit: number; slots?: number; minSize: number;
  /** 002 permission fee per bidder into the pool (0 = none). */
  fee: number;
  /** How rounds pay: `004` by data size × score (the miner's fee from `split`), or `003` by
   *  Shapley value and reputation (Eq. 3, `incentive`). */
  pays: '003' | '004';
  split: { trainers: number; miner: number };
  incentive: IncentiveRecord;
  /** Starting balances of the requester and of every board. */
  balances: { requester: number; device: number };
  /** Revoke the key of a slashed winner (004: "updated to invalid status"). */
  revoke: boolean;
}

export const DEFAULT_ECONOMY: EconomyParams = {
  task: 'T1', pool: 100_000, deposit: 500, minSize: 1, fee: 0, pays: '003',
  split: { trainers: 900_000, miner: 100_000 },
  incentive: {
    split: { providers: 700_000, reputation: 150_000, aggregator: 100_000, center: 50_000 },
    // B = 10 per accepted round, D = 10 per rejected round weighted α = 1, W0 = 50 decaying 10 % a
    // round, bar below 20: three rejections in a row bar a board; one is forgiven
    rep: { b: 10, d: 10, alpha: 1_000_000, w0: 50, decay: 900_000, threshold: 20 },
    method: 'stratified', budget: 256,
  },
  balances: { requester: 1_000_000, device: 10_000 },
  revoke: true,
};

const KEYS = ['task', 'pool', 'perRound', 'deposit', 'slots', 'minSize', 'fee', 'pays', 'split', 'incentive', 'balances', 'revoke'];

/** Validates a parameter set; throws RangeError with the reason. */
export function checkEconomy(p: EconomyParams): EconomyParams {
  const uint = (v: unknown, k: string) => { if (!Number.isSafeInteger(v) || (v as number) < 0) throw new RangeError(`economy: ${k} must be a non-negative integer, not ${JSON.stringify(v)}`); };
  for (const k of ['pool', 'deposit', 'minSize', 'fee'] as const) uint(p[k], k);
  if (p.perRound !== undefined) uint(p.perRound, 'perRound');
  if (p.slots !== undefined) { uint(p.slots, 'slots'); if (p.slots < 1) throw new RangeError('economy: slots must be at least 1'); }
  if (p.deposit < 1) throw new RangeError('economy: deposit must be at least 1 (a bid without a deposit is refused)');
  uint(p.balances.requester, 'balances.requester'); uint(p.balances.device, 'balances.device');
  if (p.balances.requester < p.pool) throw new RangeError(`economy: the requester's balance ${p.balances.requester} cannot lock a pool of ${p.pool}`);
  if (p.balances.device < p.deposit + p.fee) throw new RangeError(`economy: a board's balance ${p.balances.device} cannot pay deposit ${p.deposit} + fee ${p.fee}`);
  if (p.pays !== '003' && p.pays !== '004') throw new RangeError(`economy: pays must be 003 or 004, not ${String(p.pays)}`);
  const ratios = (r: Record<string, number>, what: string) => { try { checkRatios(r); } catch (e) { throw new RangeError(`economy: ${what}: ${(e as Error).message}`); } };
  ratios(p.split, 'split'); ratios({ ...p.incentive.split }, 'incentive.split');
  try { checkReputationParams(p.incentive.rep); } catch (e) { throw new RangeError(`economy: incentive.rep: ${(e as Error).message}`); }
  if (!['exact', 'tmc', 'gtg', 'stratified'].includes(p.incentive.method)) throw new RangeError(`economy: incentive.method ${p.incentive.method} is not exact, tmc, gtg or stratified`);
  uint(p.incentive.budget, 'incentive.budget');
  return p;
}

/** Defaults ⊕ a task file (JSON, any subset of the keys) ⊕ overrides. Throws RangeError. */
export function loadEconomy(file?: string, over: Partial<EconomyParams> = {}): EconomyParams {
  let fromFile: Partial<EconomyParams> = {};
  if (file) {
    let raw: string;
    try { raw = readFileSync(file, 'utf8'); } catch (e) { throw new RangeError(`economy file ${file}: ${(e as Error).message}`); }
    if (raw.length > 65_536) throw new RangeError(`economy file ${file} is larger than 64 KiB`);
    try { fromFile = JSON.parse(raw) as Partial<EconomyParams>; } catch (e) { throw new RangeError(`economy file ${file}: ${(e as Error).message}`); }
    if (!fromFile || typeof fromFile !== 'object' || Array.isArray(fromFile)) throw new RangeError(`economy file ${file}: not a JSON object`);
    for (const k of Object.keys(fromFile)) if (!KEYS.includes(k)) throw new RangeError(`economy file ${file}: unknown key ${k} (known: ${KEYS.join(', ')})`);
  }
  const d = DEFAULT_ECONOMY, f = fromFile;
  const inc = { ...d.incentive, ...f.incentive, ...over.incentive };
  return checkEconomy({
    ...d, ...f, ...over,
    split: { ...d.split, ...f.split, ...over.split },
    incentive: { ...inc, split: { ...d.incentive.split, ...f.incentive?.split, ...over.incentive?.split }, rep: { ...d.incentive.rep, ...f.incentive?.rep, ...over.incentive?.rep } },
    balances: { ...d.balances, ...f.balances, ...over.balances },
  });
}

export { PPM };

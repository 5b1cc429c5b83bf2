// The demo's economy flags (`npm start -- --economy FILE --pool N …`), over params.ts.
import { loadEconomy, type EconomyParams } from './params.js';

/** parseArgs options for the economy flags. */
export const ECONOMY_FLAGS = {
  economy: { type: 'string' }, 'no-economy': { type: 'boolean' }, pool: { type: 'string' }, deposit: { type: 'string' },
  'per-round': { type: 'string' }, slots: { type: 'string' }, fee: { type: 'string' }, pays: { type: 'string' },
  shapley: { type: 'string' }, 'shapley-budget': { type: 'string' },
} as const;

export const ECONOMY_HELP = `  --economy FILE     the task's economics as JSON (docs/economy.md; defaults: pool 100000, deposit 500,
                     every board a winner, pays by seed 003 Shapley value + reputation)
  --pool N --deposit N --per-round N --slots N --fee N
                     reward pool, stake per bid, payout per round, winners, 002 permission fee
  --pays 003|004     pay rounds by Shapley value and reputation (003 Eq. 3) or data size × score (004)
  --shapley M        exact | tmc | gtg | stratified (default stratified), --shapley-budget N evaluations
  --no-economy       no task on the chain (no bids, deposits or rewards)`;

/** The economy the flags ask for (undefined with --no-economy). Throws RangeError with the reason. */
export function economyFromFlags(v: Record<string, string | boolean | undefined>): EconomyParams | undefined {
  if (v['no-economy']) return undefined;
  const int = (k: string): number | undefined => {
    const x = v[k];
    if (x === undefined) return undefined;
    const n = Number(x);
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`--${k} must be a non-negative integer, not ${String(x)}`);
    return n;
  };
  const over: Partial<EconomyParams> = {};
  const set = <K extends keyof EconomyParams>(k: K, x: EconomyParams[K] | undefined) => { if (x !== undefined) over[k] = x; };
  set('pool', int('pool')); set('deposit', int('deposit')); set('perRound', int('per-round')); set('slots', int('slots')); set('fee', int('fee'));
  if (v.pays !== undefined) set('pays', String(v.pays) as EconomyParams['pays']);
  const budget = int('shapley-budget');
  if (v.shapley !== undefined || budget !== undefined) {
    over.incentive = { ...(v.shapley !== undefined ? { method: String(v.shapley) } : {}), ...(budget !== undefined ? { budget } : {}) } as EconomyParams['incentive'];
  }
  return loadEconomy(typeof v.economy === 'string' ? v.economy : undefined, over);
}

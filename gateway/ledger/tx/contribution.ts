// A round's contribution record and 003 payout (seed 003 (Wang et al.) Eq. 1-3), carried by the
// round's block for a task published with an `incentive` contract. The computing center (the
// proposing gateway) lists the Shapley value φ_i of every accepted update (value = loss decrease
// on the validation set, Eq. 1-2) and the winners whose updates the consensus engine rejected.
// The rule then
//  1. updates every listed participant's standing (standing.ts): accepted → +B points,
//     rejected → +D negative points, W decays; Z < threshold bars it and blacklists its key;
//  2. pays `amount` from the pool by Eq. 3 (incentive.ts): φ shares of v(P), Z shares of c(P)
//     to the accepted participants that are not barred, the aggregation node's and the
//     computing center's fees.
// The φ are not recomputed here (the ledger runs no models): every gateway recomputes the
// round's content, Shapley values included, before approving the block (gateway/round/reward.ts).
// Manager-authored; one per task and round (shares the payout's paid marker).
import { LedgerError } from '../errors.js';
import { onlyKeys, uint, int, amount, str, list, asMap, idItem, MAX_LIST } from '../fields.js';
import { K, put, requireTask, getBid, getDevice, getStanding, addBalance, identity } from '../records.js';
import { incentiveParts } from '../incentive.js';
import { freshStanding, nextStanding, reputationZ } from '../standing.js';
import type { TxKind } from './kind.js';

/** One accepted participant's Shapley value (value units: Q16 nats of validation loss). */
export interface PhiEntry { to: string; phi: number }
export interface ContributionBody {
  task: string; round: number; amount: number;
  /** Fee recipients: the aggregation node (round leader / aggregating gateway) and the computing center. */
  aggregator: string; center: string;
  /** How φ was computed and how many coalition values it cost. */
  method: string; evaluations: number;
  phi: PhiEntry[];
  /** Winners whose updates the consensus engine rejected this round. */
  rejected: string[];
}

const sortedUnique = (ids: readonly string[], what: string) => {
  for (let i = 1; i < ids.length; i++) if (!(ids[i - 1]! < ids[i]!)) throw new LedgerError('malformed', `${what} must be sorted, without repeats`);
};

export const contributionKind: TxKind<ContributionBody> = {
  type: 'contribution',
  author: 'manager',
  decode(m) {
    onlyKeys(m, ['task', 'round', 'amount', 'aggregator', 'center', 'method', 'evaluations', 'phi', 'rejected'], 'contribution');
    const phi = list(m, 'phi', (v) => {
      const e = asMap(v, 'phi entry');
      onlyKeys(e, ['to', 'phi'], 'phi entry');
      return { to: str(e, 'to'), phi: int(e, 'phi') };
    }, MAX_LIST);
    const rejected = list(m, 'rejected', idItem, MAX_LIST);
    sortedUnique(phi.map((x) => x.to), 'phi'); sortedUnique(rejected, 'rejected');
    return {
      task: str(m, 'task'), round: uint(m, 'round'), amount: amount(m, 'amount'), aggregator: str(m, 'aggregator'), center: str(m, 'center'),
      method: str(m, 'method', 16), evaluations: uint(m, 'evaluations'), phi, rejected,
    };
  },
  encode: (b) => ({ ...b, phi: b.phi.map((x) => ({ to: x.to, phi: x.phi })), rejected: [...b.rejected] }),
  apply(s, tx, ctx) {
    const b = tx.body;
    const task = requireTask(s, b.task);
    const inc = task.incentive;
    if (!inc) throw new LedgerError('not_authorized', `task ${b.task} has no 003 incentive contract`);
    if (task.status !== 'selected') throw new LedgerError('task_closed', `task ${b.task} is ${task.status}; payouts need selected winners`);
    if (task.pool < b.amount) throw new LedgerError('insufficient_funds', `pool ${task.pool} < ${b.amount}`);
    for (const who of [b.aggregator, b.center]) if (!identity(s, who)) throw new LedgerError('unknown_author', `fee recipient ${who} is unknown`);
    if (s.get(K.paid(b.task, b.round, '')) !== undefined) throw new LedgerError('duplicate', `round ${b.round} of ${b.task} was already paid out`);
    const inRound = new Set<string>();
    for (const id of [...b.phi.map((x) => x.to), ...b.rejected]) {
      if (inRound.has(id)) throw new LedgerError('malformed', `${id} is both accepted and rejected`);
      inRound.add(id);
      const bid = getBid(s, b.task, id);
      if (!bid || (bid.status !== 'won' && bid.status !== 'returned')) throw new LedgerError('not_authorized', `${id} is not a winner of ${b.task} in good standing`);
    }
    // 1. standings (before the payout: this round's outcome counts in its Z)
    const standing = (id: string) => getStanding(s, b.task, id) ?? freshStanding(inc.rep);
    const after = new Map<string, ReturnType<typeof standing>>();
    for (const x of b.phi) after.set(x.to, nextStanding(inc.rep, standing(x.to), 'accepted'));
    for (const id of b.rejected) after.set(id, nextStanding(inc.rep, standing(id), 'rejected'));
    for (const [id, st] of after) {
      if (st.barred && standing(id).barred) throw new LedgerError('not_authorized', `${id} is barred from ${b.task}`);
      put(s, K.standing(b.task, id), st);
      const dev = getDevice(s, id);
      if (st.barred && dev && dev.status === 'active') put(s, K.device(id), { ...dev, status: 'blacklisted' });   // 003: barred; 004: key invalidated
    }
    // 2. Eq. 3 over the accepted participants that are not barred
    const paid = b.phi.filter((x) => !after.get(x.to)!.barred);
    const parts = incentiveParts(b.amount, inc.split, paid.map((x) => x.phi), paid.map((x) => reputationZ(inc.rep, after.get(x.to)!)));
    s.set(K.paid(b.task, b.round, ''), ctx.height);
    s.set(K.contribution(b.task, b.round), { method: b.method, evaluations: b.evaluations, phi: b.phi.map((x) => ({ to: x.to, phi: x.phi })), rejected: [...b.rejected] } as never);
    addBalance(s, b.aggregator, parts.aggregator);
    addBalance(s, b.center, parts.center);
    paid.forEach((x, i) => addBalance(s, x.to, parts.providers[i]! + parts.reputation[i]!));
    put(s, K.task(b.task), { ...task, pool: task.pool - b.amount + parts.unpaid });
  },
};

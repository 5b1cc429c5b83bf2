// FLTrust with the gateways' root dataset (Cao, Fang, Liu & Gong, "FLTrust: Byzantine-robust
// federated learning via trust bootstrapping", NDSS 2021 §IV): the service provider — here the
// gateways, which emulate seed 002's base-station aggregator and already hold the task's
// held-out evaluation data — keeps a small clean root dataset covering every class and each
// round trains one root update g₀ on it from the round's global model, with the task's own
// integer training (the firmware kernel, so every gateway gets the same bytes). A candidate's
// trust is cos(gᵢ, g₀) in ppm (trust.ts `cosPpm`); it counts only when that exceeds the floor
// (default 0: FLTrust's ReLU), and the admitted updates go to the task's rule with opts.base
// and opts.refNorm = ⌊‖g₀‖⌋ (rule `fltrust`: FLTrust Eq. 2–4; `centeredClip`: the toolkit's
// default defence, docs/robustness.md). Unlike the committee's root (committee.ts `trust`),
// this one covers every class whatever the devices' partition, which is what strongly
// non-IID data needs: an honest one-class update has a negative cosine with a reference of
// other classes only. Integer and deterministic; no evidence beyond the updates.
import { aggregateAccepted, canonicalOrder, ConsensusError, type ConsensusEngine } from './engine.js';
import { cosPpm } from './trust.js';
import { squaredDistance } from '../aggregate/krum.js';
import { isqrt } from '../aggregate/centered-clip.js';

export interface RootTrustConfig {
  /** Admit candidates whose cosine with g₀ exceeds this (ppm, in [−1e6, 1e6); default 0). */
  floor?: number;
  /** Carry a reputation across rounds (the default defence, docs/robustness.md):
   *  Rᵢ ← Rᵢ − trunc(Rᵢ/4) + cosᵢ (ppm) for each candidate, admitted when the new Rᵢ exceeds
   *  the floor. One round's cosine then decides less than a device's recent record — an honest
   *  update that disagrees with g₀ while the global model overshoots its class still counts,
   *  and a device that keeps pointing away stays out. */
  reputation?: boolean;
}

/** One round's reputation step (integer; trunc toward zero): R − trunc(R/4) + cos. */
export function nextReputation(prev: number, cos: number): number {
  return prev - Math.trunc(prev / 4) + cos;
}

const MAX = 1_000_000;

/** The root-trust engine (name `fedavg`: every gateway decides alone from the updates; the
 *  genesis records `fl_trust: 'root'`). Needs ctx.reference, the gateways' root update. */
export function rootTrustEngine(cfg: RootTrustConfig = {}): ConsensusEngine<null> {
  const floor = cfg.floor ?? 0;
  if (!Number.isInteger(floor) || floor < -MAX || floor >= MAX) throw new RangeError('rootTrust: floor must be an integer in [-1000000, 1000000)');
  return {
    name: 'fedavg',
    config: { trust: 'root', ...(floor ? { trust_floor: floor } : {}), ...(cfg.reputation ? { trust_reputation: 1 } : {}) },
    caps: { proposer: 'leader', committee: 'none', evidence: 'none' },
    explain(id, d) {
      const rep = d.trust?.get(id);
      return { reason: 'direction_trust', detail: rep !== undefined ? `reputation ${rep} ppm (decayed sum of its cosines with the gateways' root updates) not above the floor ${floor}` : `cosine with the gateways' root update not above the floor ${floor} ppm` };
    },
    decide(input, _e, ctx) {
      if (!input.base) throw new ConsensusError('no_base', 'root trust needs the round\'s global parameters');
      if (!ctx.reference) throw new ConsensusError('no_root', 'root trust needs the gateways\' root dataset (ctx.reference)');
      const base = input.base;
      const ref = ctx.reference(base, input.round);
      if (ref.length !== base.length) throw new ConsensusError('no_root', 'the root update\'s length differs from the model\'s');
      const root = ref.map((v, i) => v - base[i]);
      const refNorm = Number(isqrt(squaredDistance(ref, base)));
      const cands = canonicalOrder(input.candidates);
      const cos = new Map<string, number>(cands.map((c) => [c.id, cosPpm(c.params, base, root)]));
      // the score recorded per update: its cosine, as ReLU (records hold non-negative scores)
      const scores = new Map<string, number>([...cos].map(([id, v]) => [id, Math.max(0, v)]));
      if (refNorm === 0) return { accepted: [], scores, params: undefined, nextCommittee: [] };
      const rep = cfg.reputation ? new Map(input.trust ?? []) : undefined;
      if (rep) for (const [id, v] of cos) rep.set(id, nextReputation(rep.get(id) ?? 0, v));
      const standing = rep ?? cos;
      const accepted = cands.filter((c) => standing.get(c.id)! > floor).map((c) => c.id);
      const params = aggregateAccepted(cands, accepted, scores, { ...ctx, ruleOpts: { ...ctx.ruleOpts, base, refNorm } });
      // Nothing accepted → no model record this round, so the reputation must not move either
      // (a gateway resuming from the chain would otherwise hold another one).
      return { accepted, scores, params, nextCommittee: [], ...(rep && accepted.length ? { trust: rep } : {}) };
    },
    encodeEvidence: () => null,
    decodeEvidence(v) {
      if (v !== null && v !== undefined) throw new ConsensusError('malformed', 'root trust carries no evidence');
      return null;
    },
  };
}

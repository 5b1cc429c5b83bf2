// A participant's standing in a task (seed 003 (Wang et al.) §"Reputation"): reputation points
// T = b + α·d and the data value W(t) = W0·Q^(−θt), so Z = T + W; a participant whose Z falls
// below the task's threshold is barred. All integer, with the roundings stated here:
//  - b counts positive points (B per round whose update entered the model), d negative points
//    (D per round whose update the consensus engine rejected). The seed writes T = b + α·d with
//    α the "negative integral influence coefficient"; we keep d ≥ 0 and α ≥ 0 and subtract:
//    T = b − ⌊α·d / 10^6⌋ (α in ppm, so α = 2,000,000 weighs a negative point twice).
//  - W: the seed takes Q ∈ (0, 1), θ > 0 and calls θ a decay constant, but Q^(−θt) with Q < 1
//    grows with t. We read it as decay — data is worth less the longer it has been shared — with
//    the per-round factor q = Q^θ given in ppm: W_0 = W0, W_t = ⌊W_{t−1}·q / 10^6⌋, t = rounds the
//    participant took part in (accepted or rejected).
import { LedgerError } from './errors.js';
import { PPM } from './split.js';

/** A task's reputation parameters (published with the task). */
export interface ReputationParams {
  /** Positive points per accepted round (B) and negative points per rejected round (D). */
  b: number; d: number;
  /** Weight α of a negative point, ppm. */
  alpha: number;
  /** Initial data value W0 and its per-round decay factor q = Q^θ, ppm (< 1,000,000). */
  w0: number; decay: number;
  /** Z below this bars the participant (its key is blacklisted). */
  threshold: number;
}

/** A participant's standing: points b and d, rounds taken part t, data value W. */
export interface StandingRecord { b: number; d: number; t: number; w: number; barred: boolean }

/** Checks the parameters; throws LedgerError('malformed'). */
export function checkReputationParams(p: ReputationParams): void {
  for (const k of ['b', 'd', 'alpha', 'w0', 'decay', 'threshold'] as const) {
    if (!Number.isSafeInteger(p[k]) || p[k] < 0) throw new LedgerError('malformed', `reputation ${k} = ${p[k]} must be an unsigned integer`);
  }
  if (p.decay >= PPM) throw new LedgerError('malformed', `decay ${p.decay} ppm must be below ${PPM} (the data value decays)`);
}

/** The standing of a participant that has not yet taken part: b = d = t = 0, W = W0. */
export const freshStanding = (p: ReputationParams): StandingRecord => ({ b: 0, d: 0, t: 0, w: p.w0, barred: false });

/** T = b − ⌊α·d / 10^6⌋. */
export function pointsT(p: ReputationParams, s: StandingRecord): number {
  return s.b - Number((BigInt(p.alpha) * BigInt(s.d)) / BigInt(PPM));
}

/** Z = T + W (seed 003). */
export function reputationZ(p: ReputationParams, s: StandingRecord): number { return pointsT(p, s) + s.w; }

/** The standing after one round in which the participant's update was accepted or rejected.
 *  Bars it (for good) once Z < threshold. Pure. */
export function nextStanding(p: ReputationParams, s: StandingRecord, outcome: 'accepted' | 'rejected'): StandingRecord {
  const n: StandingRecord = {
    b: s.b + (outcome === 'accepted' ? p.b : 0), d: s.d + (outcome === 'rejected' ? p.d : 0), t: s.t + 1,
    w: Number((BigInt(s.w) * BigInt(p.decay)) / BigInt(PPM)), barred: s.barred,
  };
  if (!Number.isSafeInteger(n.b) || !Number.isSafeInteger(n.d)) throw new LedgerError('malformed', 'reputation points overflow');
  if (reputationZ(p, n) < p.threshold) n.barred = true;
  return n;
}

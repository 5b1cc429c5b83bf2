// Colluding committee (002 §Under malicious attack): malicious nodes poison like Gaussian
// attackers and, when elected to the committee, "give random high scores (e.g., 90 percent)
// to the malicious updates". Any attacker with `collude: true` scores this way; the type
// `colluding-committee` is Gaussian poisoning with collusion on.
import { gaussian } from './gaussian.js';
import type { Attack } from './attack.js';
import type { Rng } from '../../boards/data/rng.js';

export const colludingCommittee: Attack = gaussian;

/** A colluding member's score (ppm) for one candidate: a random high score for a friend
 *  (uniform in [high − 0.05, high + 0.05], params.highScore default 0.9), the honestly
 *  measured score otherwise, or 0 for honest updates when params.sinkHonest = 1. */
export function colludingScore(friend: boolean, measuredPpm: number, rng: Rng, params: Record<string, number>): number {
  const high = params.highScore ?? 0.9;
  if (friend) return Math.round(Math.min(1, Math.max(0, high - 0.05 + rng.float() * 0.1)) * 1e6);
  return params.sinkHonest ? 0 : measuredPpm;
}

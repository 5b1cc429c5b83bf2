// Attacker types by name (STYLE §2: one table over one interface, attack.ts).
import type { Attack } from './attack.js';
import { gaussian } from './gaussian.js';
import { signFlip } from './sign-flip.js';
import { labelFlip } from './label-flip.js';
import { littleIsEnough } from './little-is-enough.js';
import { lazyCopy } from './lazy-copy.js';
import { freeRider } from './free-rider.js';
import { colludingCommittee } from './colluding-committee.js';
import { alie } from './alie.js';
import { ipm } from './ipm.js';
import { minMax, minSum } from './min-max.js';
import { adaptive } from './adaptive.js';
import { silent } from './silent.js';

export type { Attack, CraftContext } from './attack.js';
export { colludingScore } from './colluding-committee.js';

export const ATTACKS = {
  'gaussian': gaussian,
  'sign-flip': signFlip,
  'label-flip': labelFlip,
  'little-is-enough': littleIsEnough,
  'lazy-copy': lazyCopy,
  'free-rider': freeRider,
  'colluding-committee': colludingCommittee,
  'alie': alie,
  'ipm': ipm,
  'min-max': minMax,
  'min-sum': minSum,
  'adaptive': adaptive,
  'silent': silent,
} satisfies Record<string, Attack>;

export type AttackType = keyof typeof ATTACKS;
export const ATTACK_TYPES = Object.keys(ATTACKS) as AttackType[];

/** Types whose boards pool their honest updates in one collective step each round. */
export const COLLECTIVE_TYPES: ReadonlySet<AttackType> = new Set(ATTACK_TYPES.filter((t) => (ATTACKS[t] as Attack).collective));

/** Types whose boards collude in committee scoring even without `collude: true`. */
export const COLLUDING_BY_DEFAULT: ReadonlySet<AttackType> = new Set(['colluding-committee']);

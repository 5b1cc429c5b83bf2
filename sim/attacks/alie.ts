// "A little is enough" with per-attacker jitter (Baruch, Baruch & Goldberg, NeurIPS 2019, §3):
// the colluders' shared μ − z·σ (little-is-enough.ts), plus a small independent N(0, σ_j²)
// per attacker (params.jitter int8 weight steps, default 0.05: a few master units, enough to break byte identity), so the updates are no longer
// identical and a copy detector does not catch them. params.z overrides the paper's z.
import type { Attack } from './attack.js';
import { littleIsEnough } from './little-is-enough.js';
import { jitter } from './stats.js';

export const alie: Attack = {
  trains: true,
  collective: littleIsEnough.collective,
  personalize: (crafted, c) => jitter(crafted, c.header, c.params.jitter ?? 0.05, c.rng),
};

// Inner-product manipulation (Xie, Koyejo & Gupta, "Fall of empires", UAI 2019, §4): the
// colluders estimate the honest mean update μ from their own honest training and all send
// −ε·μ, so the aggregate's inner product with the true gradient turns negative once enough of
// them get through. params.epsilon: ε (default 0.5; the paper breaks Krum with 0.1 and
// median / trimmed mean with larger ε); params.jitter as in alie.ts (default 0.05 steps).
import type { Attack } from './attack.js';
import { applyDelta, deltas, jitter, meanStd } from './stats.js';

export const ipm: Attack = {
  trains: true,
  collective: (honest, c) => {
    const eps = c.params.epsilon ?? 0.5;
    const { mean } = meanStd(deltas(honest, c.global));
    return applyDelta(c.global, mean.map((x) => -eps * x));
  },
  personalize: (crafted, c) => jitter(crafted, c.header, c.params.jitter ?? 0.05, c.rng),
};

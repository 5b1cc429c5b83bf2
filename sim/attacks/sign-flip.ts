// Sign flip: the board trains honestly, then sends global − s·(trained − global), i.e. its
// update reversed and scaled. params.scale: s (default 4).
import type { Attack } from './attack.js';

export const signFlip: Attack = {
  trains: true,
  craft: (c) => {
    const s = c.params.scale ?? 4, t = c.trained!, g = c.global, out = new Int32Array(g.length);
    for (let i = 0; i < g.length; i++) out[i] = Math.round(g[i] - s * (t[i] - g[i]));
    return out;
  },
};

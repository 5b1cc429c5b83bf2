// Free rider: takes the global model, trains nothing, and sends it back as its "update" with
// its claimed sample count, to collect rewards. params.noise adds N(0, noise²) master units
// so the update is not byte-identical to the base (default 0).
import type { Attack } from './attack.js';

export const freeRider: Attack = {
  trains: false,
  craft: (c) => {
    const sd = c.params.noise ?? 0;
    return sd > 0 ? c.global.map((v) => Math.round(v + c.rng.normal() * sd)) : Int32Array.from(c.global);
  },
};

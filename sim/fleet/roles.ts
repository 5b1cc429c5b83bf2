// Which boards attack: a seeded choice of ⌊fraction·N⌋ boards per attacker spec, disjoint.
import type { AttackerSpec } from '../scenario/schema.js';
import { rngFor } from './seeds.js';

/** role[i] = index into `attackers`, or −1 for an honest board. Deterministic in `seed`. */
export function assignRoles(devices: number, attackers: AttackerSpec[], seed: number): Int16Array {
  const role = new Int16Array(devices).fill(-1);
  const order = rngFor(seed, 'roles', 0).shuffle(Array.from({ length: devices }, (_, i) => i));
  let next = 0;
  attackers.forEach((a, k) => {
    const m = Math.floor(a.fraction * devices + 1e-9);
    for (let j = 0; j < m && next < devices; j++) role[order[next++]] = k;
  });
  return role;
}

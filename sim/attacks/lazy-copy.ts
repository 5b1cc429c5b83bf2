// Lazy node (004 §IV-A "multi-functional miner"): skips local training and republishes a model
// another training node uploaded this round, signed with its own key, claiming its own sample
// count. The source is drawn per round (seeded) among the round's delivered honest trainers;
// params.noise adds N(0, noise²) master units to dodge exact-copy detection (default 0).
import type { Attack } from './attack.js';

export const lazyCopy: Attack = { trains: false, copies: true };

// Silent: the board never sends an update (reported absent by its fleet worker). Not an attack
// but the benchmark's oracle: FedAvg with the attackers silent is what a perfect filter — one
// that drops exactly the attackers' updates and nothing else — would reach, so it bounds every
// filtering defence from above (docs/robustness.md: at strongly non-IID data, losing the
// attackers' shards costs accuracy no defence can win back).
import type { Attack } from './attack.js';

export const silent: Attack = { trains: false, silent: true };

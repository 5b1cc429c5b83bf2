// Label flip: the board trains honestly on poisoned labels y → (C − 1 − y) (params.shift = k
// instead maps y → (y + k) mod C). Its update is a genuine, well-formed model of the wrong task.
import type { Attack } from './attack.js';

export const labelFlip: Attack = {
  trains: true,
  labels: (y, classes, p) => y.map((v) => (p.shift ? (v + p.shift) % classes : classes - 1 - v)),
};

// Gaussian-noise poisoning (002 §Under malicious attack: "random perturbation with a pointwise
// Gaussian random noise"): the board sends the global model plus N(0, σ²) per coordinate.
// params.sigma: noise in int8 weight steps (default 30); params.onTrained = 1 adds the noise
// to the trained model instead of the global one.
import { addGaussian, type Attack } from './attack.js';

export const gaussian: Attack = {
  trains: false,
  craft: (c) => addGaussian(c.params.onTrained ? c.trained ?? c.global : c.global, c.header, c.params.sigma ?? 30, c.rng),
};

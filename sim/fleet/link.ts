// The link and availability model (pure, seeded): whether a board is online in a round,
// whether its update is lost on the uplink, and how long its round takes in simulated time.
import type { BoardProfile } from '../../boards/profiles.js';
import { uniform } from './seeds.js';

/** Nominal host cost of one training sample in the firmware (measured on the emulated board:
 *  LR 784→10 trains ≈ 150,000 samples/s), and of one evaluated sample. */
export const HOST_TRAIN_MS_PER_SAMPLE = 0.0067;
export const HOST_EVAL_MS_PER_SAMPLE = 0.003;

export interface Link { latencyMs: number; loss: number; bytesPerS: number }

/** True when board `i` is online in `round` (probability `availability`). */
export function available(seed: number, round: number, i: number, availability: number): boolean {
  return availability >= 1 || uniform(seed, 'avail', round, i) < availability;
}

/** True when board `i`'s update of `round` is lost on its link (probability `link.loss`). */
export function lost(seed: number, round: number, i: number, link: Link): boolean {
  return link.loss > 0 && uniform(seed, 'link', round, i) < link.loss;
}

/** Simulated seconds for one board's round: download, train (scaled by the profile's compute
 *  speed), upload, each way paying the link latency. */
export function boardRoundSeconds(p: BoardProfile, link: Link, samples: number, epochs: number, downBytes: number, upBytes: number): number {
  const train = (samples * epochs * HOST_TRAIN_MS_PER_SAMPLE) / p.computeScale;
  const wire = Number.isFinite(link.bytesPerS) ? ((downBytes + upBytes) / link.bytesPerS) * 1000 : 0;
  return (2 * link.latencyMs + train + wire) / 1000;
}

// One finished round, the same record for every deployment (one gateway, a BFT cluster, the
// simulator): printed by the demo, published on fl/<task>/round, written to the simulator's
// CSV, and shown by the dashboard.

/** An update (or message) the round did not count, with a stable reason code. */
export interface Rejection { device?: string; reason: string; detail: string }

export interface RoundSummary {
  round: number;
  /** Chain height after the round's block. */
  height: number;
  /** Round consensus engine (`fedavg` | `committee` | `poq` | `pow`). */
  engine: string;
  /** Gateway that built the block, and the view it was final in (0 without BFT). */
  proposer: string;
  view: number;
  /** The engine's leader or miner (PoQ leader, PoW miner), if any. */
  leader?: string;
  /** Devices asked to train, and the committee that scored them. */
  trainers: string[];
  committee: string[];
  /** Update messages received for the round (admitted or not) and their bytes. */
  received: number;
  bytesIn: number;
  /** Updates that passed admission and the detectors (the engine's candidates), and their bytes. */
  admitted: number;
  admittedBytes: number;
  /** Device ids whose updates entered the model, canonical order. */
  accepted: string[];
  /** Admission failures, detector hits and engine rejections: the round's first ones, a bounded
   *  sample (RoundConfig.maxRejections, default 256; details escaped and cut to 300 characters). */
  rejected: Rejection[];
  /** Exact counts of every rejection by reason, and their total (the sample may hold fewer).
   *  Always set by the round machine; optional only for summaries built by hand. */
  rejectedCounts?: Record<string, number>;
  rejectedTotal?: number;
  /** The engine's integer score (ppm) per scored candidate. */
  scores: Record<string, number>;
  /** Held-out accuracy and loss of the new global model (gateways with an evaluator). */
  accuracy?: number;
  loss?: number;
  modelHash: string;
  /** Wall time of the round, and of the part after collection (evidence + finality). */
  ms: number;
  consensusMs: number;
}

// Proof-of-work evidence (004 §III-C): the proposer aggregates its pool with the task's rule
// and searches a nonce until the work meets the difficulty. Mining runs in bounded chunks and
// yields to the event loop between them, so a rival's block (the abort signal) stops it.
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { mine, workPrefix, type PowEvidence } from '../consensus/pow.js';
import { aggregateAccepted, canonicalOrder, ConsensusError, type EngineContext, type RoundInput } from '../consensus/engine.js';
import type { EvidenceSource } from '../round/ports.js';

export interface MinerOptions { miner: string; difficulty: number; ctx: EngineContext; chunk?: number; maxNonces?: number }

/** Mines the round's work as `miner`. Rejects with ConsensusError('bad_work') past `maxNonces` (2^40). */
export class Miner implements EvidenceSource {
  constructor(private readonly o: MinerOptions) {}

  async collect(input: RoundInput, signal: AbortSignal): Promise<PowEvidence> {
    // The miner's side: the same aggregate the engine recomputes, then the nonce search.
    const ids = canonicalOrder(input.candidates).map((c) => c.id);
    const params = aggregateAccepted(input.candidates, ids, new Map(ids.map((id) => [id, 0])), this.o.ctx);
    const prefix = workPrefix(input, this.o.miner, params, this.o.difficulty);
    const chunk = this.o.chunk ?? 256, max = this.o.maxNonces ?? 2 ** 40;
    for (let from = 0; from < max; from += chunk) {
      if (signal.aborted) throw new ConsensusError('aborted', 'a rival block arrived');
      const n = mine(prefix, this.o.difficulty, from, chunk);
      if (n !== undefined) return { miner: this.o.miner, nonce: n, difficulty: this.o.difficulty };
      await yieldToLoop();
    }
    throw new ConsensusError('bad_work', `no nonce below ${max} at difficulty ${this.o.difficulty}`);
  }
}

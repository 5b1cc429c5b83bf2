// Proof of work for BC-FL (004 §III-C "Block generation"). Miners (gateways or capable devices)
// aggregate the updates in their pool by the task's rule, then search a nonce until
// SHA-256(work) has at least `difficulty` leading zero bits (the target 2^(256−difficulty)).
// Other miners verify the nonce and the aggregate by recomputing it. Fork rules: fork.ts.
import { encodeCanonical, type CborValue } from '../../protocol/cbor.js';
import { sha256 } from '../../protocol/bytes.js';
import { leadingZeroBits } from '../ledger/seal/work.js';
import { merkleRoot } from '../ledger/merkle.js';
import { aggregateAccepted, canonicalOrder, ConsensusError, paramsDigest, type ConsensusEngine, type RoundInput } from './engine.js';

/** The winning miner's proof. */
export interface PowEvidence { miner: string; nonce: number; difficulty: number }
export interface PowConfig { /** Minimum difficulty in leading zero bits (adjustable per task). */ difficulty: number }

const DOMAIN = 'edgechain/pow-work/v1';

/** Bytes hashed for the work, up to the nonce: parent, round, miner, updates root, model digest, difficulty. */
export function workPrefix(input: RoundInput, miner: string, params: Int32Array | undefined, difficulty: number): Uint8Array {
  const root = merkleRoot(canonicalOrder(input.candidates).map((c) => c.updateHash));
  return encodeCanonical([DOMAIN, input.prev, input.round, miner, root, params ? paramsDigest(params) : new Uint8Array(0), difficulty]);
}

function workHash(prefix: Uint8Array, nonce: number): Uint8Array {
  const b = new Uint8Array(prefix.length + 8);
  b.set(prefix);
  const dv = new DataView(b.buffer);
  dv.setUint32(prefix.length, Math.floor(nonce / 2 ** 32));
  dv.setUint32(prefix.length + 4, nonce >>> 0);
  return sha256(b);
}

/** Searches nonces [from, from + count) for the work; returns the first that meets the target,
 *  or undefined (bounded, so a caller can interleave mining with receiving a rival's block). */
export function mine(prefix: Uint8Array, difficulty: number, from: number, count: number): number | undefined {
  for (let n = from; n < from + count; n++) if (leadingZeroBits(workHash(prefix, n)) >= difficulty) return n;
  return undefined;
}

/** True when `nonce` meets `difficulty` for the prefix. */
export function checkWork(prefix: Uint8Array, nonce: number, difficulty: number): boolean {
  return Number.isSafeInteger(nonce) && nonce >= 0 && leadingZeroBits(workHash(prefix, nonce)) >= difficulty;
}

/** The PoW engine: accept the pool, aggregate by the rule, verify the miner's nonce against the
 *  recomputed aggregate (a wrong aggregate changes the work and fails the target).
 *  @example powEngine({ difficulty: 12 }).decide(input, { miner: 'gw-1', nonce, difficulty: 12 }, ctx) */
export function powEngine(cfg: PowConfig): ConsensusEngine<PowEvidence> {
  return {
    name: 'pow',
    config: { difficulty: cfg.difficulty },
    caps: { proposer: 'miner', committee: 'none', evidence: 'work' },
    headerFields: (ev) => ({ nonce: ev.nonce, difficulty: ev.difficulty }),
    decide(input, ev, ctx) {
      if (ev.difficulty < cfg.difficulty) throw new ConsensusError('bad_work', `difficulty ${ev.difficulty} below the task's ${cfg.difficulty}`);
      if (!ctx.keyOf(ev.miner)) throw new ConsensusError('not_member', `unknown miner ${ev.miner}`);
      const accepted = canonicalOrder(input.candidates).map((c) => c.id);
      const scores = new Map(accepted.map((id) => [id, 0]));
      const params = aggregateAccepted(input.candidates, accepted, scores, ctx);
      if (!checkWork(workPrefix(input, ev.miner, params, ev.difficulty), ev.nonce, ev.difficulty)) throw new ConsensusError('bad_work', `nonce of ${ev.miner} does not meet the target for the recomputed aggregate`);
      return { accepted, scores, params, nextCommittee: [], leader: ev.miner };
    },
    encodeEvidence: (e) => [e.miner, e.nonce, e.difficulty] as CborValue,
    decodeEvidence(v) {
      if (!Array.isArray(v) || v.length !== 3 || typeof v[0] !== 'string' || !Number.isSafeInteger(v[1]) || !Number.isInteger(v[2]) || v[2] < 0 || v[2] > 256) throw new ConsensusError('malformed', 'PoW evidence must be [miner, nonce, difficulty]');
      return { miner: v[0], nonce: v[1], difficulty: v[2] };
    },
  };
}

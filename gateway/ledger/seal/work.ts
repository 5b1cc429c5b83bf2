// Proof of work (004 BC-FL miners): the block hash must have at least `difficulty` leading zero
// bits, and difficulty must meet the genesis parameter `pow_difficulty`. Any active identity mines.
import { LedgerError } from '../errors.js';
import { requireActive } from '../records.js';
import { headerHash } from '../header.js';
import { numParam, type SealRule } from './rule.js';

/** Number of leading zero bits of `h`. */
export function leadingZeroBits(h: Uint8Array): number {
  let n = 0;
  for (const byte of h) {
    if (byte === 0) { n += 8; continue; }
    return n + Math.clz32(byte) - 24;
  }
  return n;
}

export const workSeal: SealRule = {
  name: 'work',
  seal(header) {
    const difficulty = header.cons.difficulty ?? 0;
    for (let nonce = 0; nonce < Number.MAX_SAFE_INTEGER; nonce++) {
      const h = { ...header, cons: { ...header.cons, difficulty, nonce } };
      if (leadingZeroBits(headerHash(h)) >= difficulty) return h;
    }
    throw new LedgerError('bad_consensus', 'nonce space exhausted');
  },
  check(b, pre) {
    requireActive(pre, b.header.proposer);
    const need = numParam(pre, 'pow_difficulty', 8);
    const d = b.header.cons.difficulty ?? 0;
    if (d < need) throw new LedgerError('bad_consensus', `difficulty ${d} below chain minimum ${need}`);
    if (b.header.cons.nonce === undefined) throw new LedgerError('bad_consensus', 'PoW block without nonce');
    if (leadingZeroBits(b.hash) < d) throw new LedgerError('bad_consensus', 'block hash does not meet its difficulty');
  },
};

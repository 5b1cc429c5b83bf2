// One interface every transaction type implements (STYLE §2): a bounded decoder for its body,
// who may author it, and a pure state rule. Dispatch lives in tx/registry.ts.
import type { CborValue } from '../../../protocol/cbor.js';
import type { StateOverlay } from '../state.js';

/** Block context a rule may read. */
export interface ApplyCtx {
  height: number;
  time: number;   // block timestamp, ms since epoch
  chainId: string;
  /** A signature this gateway made or already verified itself (verdicts.ts) needs no second
   *  check; a SigBatch's deferral checks it on the pool. Absent for `ledger verify` and a
   *  restarted process: every signature is verified. */
  knownSig?: (publicKey: Uint8Array, msg: Uint8Array, sig: Uint8Array) => boolean;
}

/** A decoded, signature-carrying transaction. `hash` = SHA-256 of `bytes` (the Merkle leaf item). */
export interface Tx<B = unknown> {
  type: string;
  author: string;
  body: B;
  sig: Uint8Array;
  bytes: Uint8Array;
  hash: Uint8Array;
}

/** Who may author a transaction type. */
export type AuthorRule = 'manager' | 'participant' | 'genesis';

/** Definition of a transaction type. */
export interface TxKind<B> {
  type: string;
  author: AuthorRule;
  /** Replays of identical content are rejected by remembering its content id in state. */
  once?: boolean;
  /** Bounded decoder of the body map; throws LedgerError('malformed'). */
  decode(m: Map<unknown, unknown>): B;
  /** Canonical CBOR form of the body (omit absent optional fields). */
  encode(b: B): CborValue;
  /** Pure rule: checks and writes state; throws LedgerError. Author signature already checked. */
  apply(s: StateOverlay, tx: Tx<B>, ctx: ApplyCtx): void;
}

/** Drops undefined fields so optional fields are absent, not null, in the encoding. */
export function defined(o: Record<string, CborValue | undefined>): Record<string, CborValue> {
  const out: Record<string, CborValue> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out;
}

// The one error type of CBOR decoding and encoding (protocol/cbor.ts, protocol/strict-cbor.ts).

/** Why a CBOR input was refused: a size limit (`too_large`), input that ends early (`truncated`),
 *  bytes that are not CBOR (`invalid`), CBOR the protocol never sends (`forbidden`: tags, floats,
 *  indefinite lengths), a non-deterministic encoding (`not_canonical`), a nesting or item limit
 *  (`too_deep`, `too_many_items`), or a value `encodeCanonical` cannot write (`not_canonical_value`). */
export type CborErrorKind = 'too_large' | 'truncated' | 'invalid' | 'forbidden' | 'not_canonical' | 'too_deep' | 'too_many_items' | 'not_canonical_value';

/** Typed decoding/encoding error; `kind` says which limit or rule failed. */
export class CborError extends Error {
  constructor(readonly kind: CborErrorKind, message: string) {
    super(message);
    this.name = 'CborError';
  }
}

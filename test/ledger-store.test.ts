// The chain store's hand-written tx-index encoding (gateway/ledger/store.ts encodeUintPair) is
// byte-identical to the canonical CBOR encoder at every integer width boundary (RFC 8949 §4.2.1).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeUintPair } from '../gateway/ledger/store.js';
import { encodeCanonical } from '../protocol/cbor.js';

test('encodeUintPair matches encodeCanonical([a, b]) at each width boundary, and refuses what CBOR uint cannot hold', () => {
  const edges = [0, 1, 23, 24, 255, 256, 65_535, 65_536, 0xffff_ffff, 0x1_0000_0000, Number.MAX_SAFE_INTEGER];
  for (const a of edges) for (const b of edges) assert.deepEqual(encodeUintPair(a, b), encodeCanonical([a, b]), `[${a}, ${b}]`);
  for (const bad of [-1, 1.5, Number.MAX_SAFE_INTEGER + 1, NaN]) assert.throws(() => encodeUintPair(bad, 0), RangeError);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeCanonical, decodeBounded, CborError } from '../protocol/cbor.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

test('RFC 8949 §4.2.1: map keys sorted by encoded bytes, shortest lengths', () => {
  // keys 10, 100, -1, "z", "aa", [100], [-1], false sorted per RFC 8949 §4.2.1 example
  const m = new Map<any, any>([['aa', 1], [-1, 2], [100, 3], ['z', 4], [10, 5]]);
  assert.equal(hex(encodeCanonical(m)), 'a5' + '0a05' + '186403' + '2002' + '617a04' + '62616101');
  // a 24-entry map still uses a 1-byte length
  const big: Record<string, number> = {};
  for (let i = 0; i < 24; i++) big['k' + String(i).padStart(2, '0')] = i;
  assert.equal(hex(encodeCanonical(big)).slice(0, 4), 'b818');
});

test('RFC 8949 Appendix A integer encodings', () => {
  const cases: [number, string][] = [[0, '00'], [23, '17'], [24, '1818'], [1000, '1903e8'], [1000000, '1a000f4240'],
    [1000000000000, '1b000000e8d4a51000'], [-1, '20'], [-1000, '3903e7']];
  for (const [v, h] of cases) assert.equal(hex(encodeCanonical(v)), h, String(v));
});

test('floats and unsafe integers are refused for canonical data', () => {
  assert.throws(() => encodeCanonical(1.5), (e: any) => e instanceof CborError && e.kind === 'not_canonical_value');
  assert.throws(() => encodeCanonical({ x: 2 ** 60 }), CborError);
});

test('decodeBounded: size limit, truncation and garbage are distinguished', () => {
  const ok = encodeCanonical({ a: new Uint8Array(100) });
  assert.ok(decodeBounded(ok, 1000) instanceof Map);
  assert.throws(() => decodeBounded(ok, 50), (e: any) => e.kind === 'too_large');
  assert.throws(() => decodeBounded(ok.subarray(0, ok.length - 10), 1000), (e: any) => e.kind === 'truncated');
  assert.throws(() => decodeBounded(new Uint8Array(0), 1000), (e: any) => e.kind === 'truncated');
  assert.throws(() => decodeBounded(Uint8Array.from([0xff, 0x00]), 1000), (e: any) => e.kind === 'invalid' || e.kind === 'truncated');
});

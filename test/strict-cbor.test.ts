// The strict CBOR pre-check (protocol/strict-cbor.ts): RFC 8949 Appendix A encodings it accepts
// and refuses, every rule with its own kind, the COSE envelope profile, linear cost, and the
// property that anything it accepts is the canonical encoding of what cbor-x decodes from it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkStrict, decodeBounded, encodeCanonical, CborError, Tag } from '../protocol/cbor.js';
import { signSign1, parseSign1, CoseError } from '../protocol/cose.js';
import { ed25519FromSeed } from '../protocol/keys.js';
import { rng } from './support/rng.js';

const hex = (h: string) => Uint8Array.from(Buffer.from(h.replace(/\s/g, ''), 'hex'));
const refused = (kind: string) => (e: unknown) => e instanceof CborError && e.kind === kind;
const loose = { maxDepth: 64, maxItems: 1e9 };

test('RFC 8949 Appendix A: preferred (shortest) encodings without tags or floats pass', () => {
  for (const h of ['00', '17', '1818', '1903e8', '1a000f4240', '1b000000e8d4a51000', '20', '3903e7', 'f4', 'f5', 'f6',
    '40', '4401020304', '60', '6161', '6449455446', '62c3bc', '80', '83010203', '8301820203820405', 'a0', 'a201020304',
    'a26161016162820203', '826161a161626163', '98190102030405060708090a0b0c0d0e0f101112131415161718181819']) {
    assert.doesNotThrow(() => checkStrict(hex(h), loose), h);
  }
});

test('RFC 8949 Appendix A items the protocol never sends are forbidden', () => {
  const cases: [string, string][] = [
    ['c249010000000000000000', 'bignum (tag 2)'], ['c349010000000000000000', 'negative bignum (tag 3)'],
    ['c074323031332d30332d32315432303a30343a30305a', 'tag 0 date'], ['d82076687474703a2f2f7777772e6578616d706c652e636f6d', 'tag 32 URI'],
    ['d9d9f700', 'self-describe tag 55799'], ['f90000', 'half float'], ['fa47c35000', 'single float'], ['fb3ff199999999999a', 'double'],
    ['f7', 'undefined'], ['f0', 'simple 16'], ['f8ff', 'simple 255'], ['5f42010243030405ff', 'indefinite bstr'],
    ['7f657374726561646d696e67ff', 'indefinite tstr'], ['9fff', 'indefinite array'], ['bf61610161629f0203ffff', 'indefinite map'],
    ['1bffffffffffffffff', 'uint 2^64 - 1'], ['3bffffffffffffffff', 'nint -2^64'], ['a1810102', 'array as map key'],
  ];
  for (const [h, what] of cases) assert.throws(() => checkStrict(hex(h), loose), refused('forbidden'), what);
});

test('non-shortest arguments, unsorted or duplicate keys are not canonical', () => {
  const cases: [string, string][] = [
    ['1817', '23 in one extra byte'], ['190017', '23 in two'], ['1a00000017', '23 in four'], ['1b0000000000000017', '23 in eight'],
    ['1900ff', '255 in two'], ['1a0000ffff', '65535 in four'], ['1b00000000ffffffff', '2^32 - 1 in eight'],
    ['5801aa', 'bstr length in an extra byte'], ['780161', 'tstr length in an extra byte'], ['9800', 'array length'], ['b800', 'map length'],
    ['a202010102', 'keys 2, 1 out of order'], ['a201010102', 'duplicate key 1'], ['a2616201616101', 'keys "b", "a"'],
    ['a2626161016162', 'longer key first: "aa" before "b"'], ['a220010001', 'key -1 before 0'], ['d81200', 'tag 18 in an extra byte'],
  ];
  for (const [h, what] of cases) assert.throws(() => checkStrict(hex(h), { ...loose, tags: [18] }), refused('not_canonical'), what);
});

test('truncated, invalid, trailing, too deep and too many items are told apart', () => {
  assert.throws(() => checkStrict(hex('83 01 02'), loose), refused('truncated'));
  assert.throws(() => checkStrict(hex('5a 00 01 00 00'), loose), refused('truncated'), 'bstr longer than the input');
  assert.throws(() => checkStrict(hex('9b 00 00 00 01 00 00 00 00'), loose), refused('truncated'), '2^32 elements in 9 bytes');
  assert.throws(() => checkStrict(hex('1c'), loose), refused('invalid'), 'reserved additional information');
  assert.throws(() => checkStrict(hex('ff'), loose), refused('invalid'), 'lone break');
  assert.throws(() => checkStrict(hex('01 02'), loose), refused('invalid'), 'trailing byte');
  assert.throws(() => checkStrict(hex('62 c3 28'), loose), refused('invalid'), 'invalid UTF-8');
  assert.throws(() => checkStrict(hex('818181818100'), { maxDepth: 4, maxItems: 100 }), refused('too_deep'));
  assert.doesNotThrow(() => checkStrict(hex('8181818100'), { maxDepth: 4, maxItems: 100 }));
  assert.throws(() => checkStrict(hex('83010203'), { maxDepth: 1, maxItems: 3 }), refused('too_many_items'));
  assert.doesNotThrow(() => checkStrict(hex('83010203'), { maxDepth: 1, maxItems: 4 }));
  assert.throws(() => checkStrict(hex('d2 80'), { maxDepth: 2, maxItems: 9 }), refused('forbidden'), 'tag 18 not allowed by default');
  assert.doesNotThrow(() => checkStrict(hex('d2 80'), { maxDepth: 2, maxItems: 9, tags: [18] }));
});

test('the bignum that froze the gateway is refused in linear time, and so are deep nests', () => {
  const big = new Uint8Array(6 + 137_000).fill(0xff); big.set([0xc2, 0x5a, 0x00, 0x02, 0x17, 0x28]);
  assert.throws(() => decodeBounded(big, 1 << 20), refused('forbidden'));
  const deep = new Uint8Array(1 << 20).fill(0x81); deep[deep.length - 1] = 0;
  assert.throws(() => decodeBounded(deep, 1 << 20), refused('too_deep'));
  // a flat array of a million one-byte items is walked once, not recursed into
  const flat = new Uint8Array(5 + 1_000_000); flat.set([0x9a, 0x00, 0x0f, 0x42, 0x40]);
  assert.equal((decodeBounded(flat, 2 << 20) as unknown[]).length, 1_000_000);
});

test('COSE_Sign1: only the exact canonical envelope 18([<<{1:-8, 4:kid}>>, {}, bstr, bstr .size 64]) parses', () => {
  const k = ed25519FromSeed(new Uint8Array(32).fill(3));
  const kid = new TextEncoder().encode('dev-00001');
  const good = signSign1(kid, encodeCanonical({ n: 1 }), k.privateKey);
  assert.equal(good[0], 0xd2);
  assert.deepEqual(parseSign1(good, 4096).kid, kid);
  const reject = (b: Uint8Array, what: string) => assert.throws(() => parseSign1(b, 4096), (e: unknown) => e instanceof CoseError, what);
  reject(good.subarray(1), 'untagged');
  reject(Uint8Array.from([0xd9, 0xd9, 0xf7, ...good]), 'tag-55799 wrapper');
  const u = Uint8Array.from(good); // unprotected header {} at a fixed offset: d2 84 <bstr p> a0
  const pEnd = 2 + 1 + u[2] - 0x40;
  assert.equal(u[pEnd], 0xa0);
  reject(Uint8Array.from([...u.subarray(0, pEnd), 0xa1, 0x01, 0x01, ...u.subarray(pEnd + 1)]), 'non-empty unprotected header');
  reject(Uint8Array.from([...u.subarray(0, pEnd), 0xb8, 0x00, ...u.subarray(pEnd + 1)]), 'over-long map length');
  reject(Uint8Array.from([0xd2, 0x98, 0x04, ...u.subarray(2)]), 'over-long array length');
  reject(Uint8Array.from([0xd2, 0x9f, ...u.subarray(2), 0xff]), 'indefinite array');
  reject(Uint8Array.from([...good, 0x00]), 'trailing byte');
  const p = (m: Map<number, any>) => encodeCanonical(new Tag([encodeCanonical(m), new Map(), new Uint8Array(1), new Uint8Array(64)], 18));
  reject(p(new Map<number, any>([[1, -8], [4, kid], [5, 1]])), 'extra protected header field');
  reject(p(new Map<number, any>([[1, -7], [4, kid]])), 'other alg');
  reject(encodeCanonical(new Tag([encodeCanonical(new Map<number, any>([[1, -8], [4, kid]])), new Map(), new Uint8Array(1), new Uint8Array(63)], 18)), '63-byte signature');
});

test('property: whatever passes the pre-check is the canonical encoding of its decoded value', () => {
  const r = rng(19); const rnd = () => r.u32() / 2 ** 32;
  const seeds = [
    encodeCanonical({ n: 12, ctr: 3, base: new Uint8Array(32).fill(1), task: 'mnist', model: new Uint8Array(40), round: 2, metrics: { loss_u: 123 } }),
    encodeCanonical([1, -2, 300, 'gw-1', new Uint8Array(5), [true, false, null], new Map<number, any>([[1, 2], [-1, 3], [24, 'x']])]),
  ];
  let accepted = 0;
  for (let i = 0; i < 20_000; i++) {
    const b = Uint8Array.from(seeds[i % seeds.length]);
    const m = 1 + Math.floor(rnd() * 3);
    for (let j = 0; j < m; j++) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
    let v: unknown;
    try { v = decodeBounded(b, 1 << 16, { maxDepth: 8, maxItems: 1000 }); } catch (e) { assert.ok(e instanceof CborError, String(e)); continue; }
    accepted++;
    assert.deepEqual(encodeCanonical(v as never), b, `accepted ${Buffer.from(b).toString('hex')}`);
  }
  assert.ok(accepted > 100, `only ${accepted} mutants passed: the property was barely exercised`);
});

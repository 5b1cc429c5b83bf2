// Firmware SHA-256 / SHA-512 (FIPS 180-4): NIST example vectors (short, multi-block, one million
// "a") and randomized cross-checks against @noble/hashes for every length 0..1100.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { FirmwareInstance } from '../boards/firmware/instance.js';
import { DeviceSigner } from '../boards/firmware/signer.js';

const here = dirname(fileURLToPath(import.meta.url));
const vectors = JSON.parse(readFileSync(join(here, '..', '..', 'test', 'vectors', 'nist-sha2.json'), 'utf8')).vectors as
  { alg: 'sha256' | 'sha512'; ascii: string; repeat: number; digest: string }[];
const hex = (u: Uint8Array) => Buffer.from(u).toString('hex');
const signer = new DeviceSigner(new FirmwareInstance());

test('NIST SHA-2 example vectors (FIPS 180-2 App. B/C, incl. one million "a")', () => {
  for (const v of vectors) {
    const msg = new TextEncoder().encode(v.ascii.repeat(v.repeat));
    const got = v.alg === 'sha256' ? signer.sha256(msg) : signer.sha512(msg);
    assert.equal(hex(got), v.digest, `${v.alg}(${v.ascii.slice(0, 8)}…×${v.repeat})`);
  }
});

test('SHA-256/512 match @noble/hashes for every length 0..1100', () => {
  let s = 0x9e3779b9;
  const buf = new Uint8Array(1101);
  for (let i = 0; i < buf.length; i++) { s ^= s << 13; s ^= s >>> 17; s ^= s << 5; buf[i] = s & 255; }
  for (let len = 0; len <= 1100; len++) {
    const m = buf.subarray(0, len);
    assert.equal(hex(signer.sha256(m)), hex(sha256(m)), `sha256 len ${len}`);
    assert.equal(hex(signer.sha512(m)), hex(sha512(m)), `sha512 len ${len}`);
  }
});

test('hash exports refuse out-of-memory ranges with E_BAD_LENGTH instead of trapping', () => {
  const x = signer.fw.exports;
  const end = signer.fw.memory.buffer.byteLength;
  assert.equal(x.sha256(end - 10, 11), -4);
  assert.equal(x.sha512(end - 1, 2), -4);
  assert.equal(x.sha256(0, 0x7fffffff), -4);
});

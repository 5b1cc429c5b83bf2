// On-device local DP (seed paper 001, Eq. 3–5): ChaCha20 stream (RFC 8439 App. A.1), the exact
// discrete Laplace sampler (Canonne–Kamath–Steinke 2020, Alg. 2) checked statistically (mean,
// variance, P(0), tails), reproducibility under a fixed seed, and clip-then-noise composition.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FirmwareInstance } from '../boards/firmware/instance.js';
import { DeviceSigner } from '../boards/firmware/signer.js';
import { FirmwareError } from '../protocol/firmware-error.js';

const hex = (u: Uint8Array) => Buffer.from(u).toString('hex');
const signer = new DeviceSigner(new FirmwareInstance());
const seedOf = (b: number) => new Uint8Array(32).fill(b);

function randomBytes(s: DeviceSigner, n: number): Uint8Array {
  const x = s.fw.exports;
  const p = x.crypto_buf(n);
  assert.equal(x.dp_random(p, n), 0);
  return s.fw.bytes(p, n).slice();
}

test('ChaCha20 keystream: RFC 8439 App. A.1 test vectors #1 and #2 (zero key, zero nonce, blocks 0 and 1)', () => {
  signer.seedNoise(seedOf(0));
  const ks = randomBytes(signer, 128);
  assert.equal(hex(ks.subarray(0, 64)), '76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7da41597c5157488d7724e03fb8d84a376a43b8f41518a11cc387b669b2ee6586');
  assert.equal(hex(ks.subarray(64)), '9f07e7be5551387a98ba977c732d080dcb0f29a048e3656912c6533e32ee7aed29b721769ce64e43d57133b074d839d531ed1f28510afb45ace10a1f4b794d6f');
});

// Discrete Laplace with P(x) ∝ q^|x|, q = exp(-s/t): P(0) = (1-q)/(1+q), Var = 2q/(1-q)²,
// P(|X| ≥ k) = 2q^k/(1+q) for k ≥ 1.
function checkDistribution(t: number, s: number, n: number) {
  signer.seedNoise(seedOf(t & 255));
  const x = signer.laplaceNoise(n, t, s);
  const q = Math.exp(-s / t);
  const variance = (2 * q) / (1 - q) ** 2;
  let sum = 0, sq = 0, zeros = 0;
  for (const v of x) { sum += v; sq += v * v; if (v === 0) zeros++; }
  const mean = sum / n, varHat = sq / n - mean * mean;
  assert.ok(Math.abs(mean) < 5 * Math.sqrt(variance / n), `t/s=${t}/${s}: mean ${mean}`);
  // Var of the sample variance for Laplace-like tails: kurtosis ≤ 6 → relative SE ≤ sqrt(5/n)
  assert.ok(Math.abs(varHat / variance - 1) < 5 * Math.sqrt(5 / n), `t/s=${t}/${s}: variance ${varHat} vs ${variance}`);
  const binom = (p: number, got: number, what: string) =>
    assert.ok(Math.abs(got / n - p) < 5 * Math.sqrt((p * (1 - p)) / n) + 1 / n, `t/s=${t}/${s}: ${what} ${got / n} vs ${p}`);
  binom((1 - q) / (1 + q), zeros, 'P(0)');
  const b = t / s;
  for (const k of [1, Math.ceil(b), Math.ceil(2 * b), Math.ceil(4 * b)]) {
    binom((2 * q ** k) / (1 + q), x.filter((v) => Math.abs(v) >= k).length, `P(|X| ≥ ${k})`);
  }
  // symmetry
  const pos = x.filter((v) => v > 0).length, neg = x.filter((v) => v < 0).length;
  assert.ok(Math.abs(pos - neg) < 5 * Math.sqrt(pos + neg), `t/s=${t}/${s}: ${pos} positive vs ${neg} negative`);
}

test('discrete Laplace sampler: mean, variance, P(0), tails, symmetry (200k samples per scale)', () => {
  checkDistribution(1, 1, 200_000);      // b = 1
  checkDistribution(7, 3, 200_000);      // b = 7/3, non-integer scale
  checkDistribution(25, 1, 200_000);     // b = 25
  checkDistribution(2000, 50, 200_000);  // b = 40 as dp_privatize builds it: 2C·1000 / ε_m
});

test('a fixed seed reproduces the same noise; another seed does not', () => {
  signer.seedNoise(seedOf(1)); const a = signer.laplaceNoise(1000, 10, 1);
  signer.seedNoise(seedOf(1)); const b = signer.laplaceNoise(1000, 10, 1);
  signer.seedNoise(seedOf(2)); const c = signer.laplaceNoise(1000, 10, 1);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
});

test('dp_privatize = L1 clip (truncating) then discrete Laplace of scale 2C/ε, and reports ε spent', () => {
  const values = Int32Array.from({ length: 500 }, (_, i) => ((i * 7919) % 2001) - 1000);
  const C = 20_000, epsilon = 0.5, epsM = 500;
  const norm = values.reduce((a, v) => a + Math.abs(v), 0);
  assert.ok(norm > C);
  const clipped = values.map((v) => Math.trunc((v * C) / norm));
  assert.ok(clipped.reduce((a, v) => a + Math.abs(v), 0) <= C);
  signer.seedNoise(seedOf(9));
  const noise = signer.laplaceNoise(values.length, 2 * C * 1000, epsM);
  signer.seedNoise(seedOf(9));
  const before = signer.epsilonSpentM();
  const r = signer.privatize(values, C, epsilon);
  assert.equal(r.epsM, epsM);
  assert.equal(signer.epsilonSpentM() - before, epsM);
  assert.deepEqual(r.values, clipped.map((v, i) => v + noise[i]));
  // a vector already inside the bound is not scaled
  signer.seedNoise(seedOf(9));
  const small = Int32Array.from([3, -4, 5]);
  const r2 = signer.privatize(small, 1000, 1000); // ε = 1000: scale 2, noise small but exact
  signer.seedNoise(seedOf(9));
  const n2 = signer.laplaceNoise(3, 2000 * 1000, 1_000_000);
  assert.deepEqual(r2.values, Int32Array.from([3 + n2[0], -4 + n2[1], 5 + n2[2]]));
});

test('DP exports validate parameters and report entropy failure', () => {
  const code = (fn: () => unknown) => { try { fn(); return 0; } catch (e) { assert.ok(e instanceof FirmwareError); return e.code; } };
  assert.equal(code(() => signer.privatize(new Int32Array(4), 0, 1)), -2);
  assert.equal(code(() => signer.privatize(new Int32Array(4), 10, 0)), -2);
  assert.equal(code(() => signer.privatize(new Int32Array(4), 10, 2000)), -2);
  assert.equal(code(() => signer.seedNoise(new Uint8Array(31))), -6);
  const x = signer.fw.exports;
  assert.equal(x.dp_laplace(x.crypto_buf(16) + 1, 4, 1, 1), -4);          // misaligned
  assert.equal(x.dp_laplace(signer.fw.memory.buffer.byteLength - 8, 4, 1, 1), -4);
  const broken = new DeviceSigner(new FirmwareInstance({ entropy: () => false }));
  assert.equal(code(() => broken.privatize(new Int32Array(4), 10, 1)), -8);
  assert.equal(code(() => broken.seedNoise()), -8);
});

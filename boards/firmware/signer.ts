// Host wrapper of the firmware's crypto ABI (docs/firmware-crypto.md): the device key is derived
// and kept inside the firmware; the host only moves bytes in and out of firmware memory.
import type { FirmwareInstance } from './instance.js';
import { FirmwareError, checkFirmware, E_BAD_KEY } from '../../protocol/firmware-error.js';
import type { UpdateFields } from '../../protocol/update.js';
import { Kernel } from './kernel.js';

/** A global-model announcement verified in firmware (`cose_verify_global`). */
export interface VerifiedGlobal { task: string; round: number; hash: Uint8Array; model: Uint8Array; done: boolean }

/** Bytes of the record cose_verify_global writes (firmware/crypto/global.ts). */
export const GLOBAL_REC_BYTES = 120;

const utf8 = new TextEncoder();

/** Result of `DeviceSigner.privatize`: the noised vector and the ε spent (×1000). */
export interface PrivatizeResult { values: Int32Array; epsM: number }

/** Device-side signing, hashing and DP noise through one firmware instance.
 *  @example const s = new DeviceSigner(fw); s.provision(seed); const msg = s.signUpdate(kid, fields); */
export class DeviceSigner {
  private readonly x: Record<string, any>;

  constructor(readonly fw: FirmwareInstance) {
    this.x = fw.exports;
    if (typeof this.x.cose_sign_update !== 'function') throw new Error('firmware has no crypto exports');
  }

  private readonly check = checkFirmware;

  /** Copies `data` into the firmware input window at `offset`; returns its address. */
  private put(data: Uint8Array, extra = 0): number {
    const p: number = this.x.crypto_buf(data.length + extra);
    if (p === 0) throw new FirmwareError(-9, 'input');
    this.fw.bytes(p, data.length).set(data);
    return p;
  }

  private out(len: number): Uint8Array {
    return this.fw.bytes(this.x.crypto_out(), len).slice();
  }

  /** Derives the device key from a 32-byte seed inside the firmware (RFC 8032 §5.1.5). The
   *  caller should wipe its copy; the firmware wipes its input window. Throws FirmwareError. */
  provision(seed: Uint8Array): void {
    if (seed.length !== 32) throw new FirmwareError(-6, 'provision: seed must be 32 bytes');
    this.check(this.x.ed25519_provision(this.put(seed), seed.length), 'provision');
  }

  /** The 32-byte Ed25519 public key, for registration. Throws FirmwareError(E_NOT_READY) before provision. */
  publicKey(): Uint8Array {
    return this.out(this.check(this.x.ed25519_public_key(), 'publicKey'));
  }

  /** Ed25519 signature of `msg` with the device key (64 bytes). */
  sign(msg: Uint8Array): Uint8Array {
    const p = this.put(msg);
    return this.out(this.check(this.x.ed25519_sign(p, msg.length), 'sign'));
  }

  /** Firmware Ed25519 verification (RFC 8032 §5.1.7); false for any rejection. */
  verify(publicKey: Uint8Array, msg: Uint8Array, sig: Uint8Array): boolean {
    return this.verifyCode(publicKey, msg, sig) === 0;
  }

  /** Like `verify` but returns the firmware code: 0, E_BAD_KEY (-6), E_BAD_SIG (-7), ... */
  verifyCode(publicKey: Uint8Array, msg: Uint8Array, sig: Uint8Array): number {
    const all = new Uint8Array(publicKey.length + sig.length + msg.length);
    all.set(publicKey, 0); all.set(sig, publicKey.length); all.set(msg, publicKey.length + sig.length);
    const p = this.put(all);
    return this.x.ed25519_verify(p, publicKey.length, p + publicKey.length + sig.length, msg.length, p + publicKey.length, sig.length);
  }

  /** Verifies the gateway's announcement (COSE_Sign1, docs/protocol.md) in firmware under the
   *  32-byte gateway key, as a C host does. Throws FirmwareError: E_BAD_MSG (-12) for a malformed
   *  message or a hash mismatch, E_BAD_SIG (-7), E_BAD_KEY (-6), E_TOO_LARGE (-9). */
  verifyGlobal(msg: Uint8Array, gatewayKey: Uint8Array): VerifiedGlobal {
    if (gatewayKey.length !== 32) throw new FirmwareError(E_BAD_KEY, 'verifyGlobal', 'gateway key must be 32 bytes');
    const all = new Uint8Array(32 + msg.length);
    all.set(gatewayKey, 0); all.set(msg, 32);
    const p = this.put(all);
    const n = this.check(this.x.cose_verify_global(p + 32, msg.length, p), 'verifyGlobal');
    const rec = this.out(n);
    const dv = new DataView(rec.buffer);
    const modelPtr = dv.getUint32(8, true), modelLen = dv.getUint32(12, true), taskLen = dv.getUint32(20, true);
    return {
      round: Number(dv.getBigUint64(0, true)), model: this.fw.bytes(modelPtr, modelLen).slice(), done: dv.getUint32(16, true) === 1,
      task: new TextDecoder().decode(rec.subarray(56, 56 + taskLen)), hash: rec.slice(24, 56),
    };
  }

  /** SHA-256 computed in firmware. */
  sha256(data: Uint8Array): Uint8Array {
    return this.out(this.check(this.x.sha256(this.put(data), data.length), 'sha256'));
  }

  /** SHA-512 computed in firmware. */
  sha512(data: Uint8Array): Uint8Array {
    return this.out(this.check(this.x.sha512(this.put(data), data.length), 'sha512'));
  }

  private kernel?: Kernel;

  /** Complete COSE_Sign1 bytes of a device update, encoded and signed in firmware
   *  (RFC 9052 §4.2–4.4; payload as protocol/update.ts encodeUpdate). The firmware signs the
   *  model it holds: `fields.model` is loaded into the kernel in chunks (replacing its model;
   *  load → export is the identity on every blob the kernel accepts) and signed from there
   *  (signModelUpdate), so neither the model nor the message has to fit in firmware memory
   *  whole. A model the kernel rejects (not a valid blob) is signed the old way, from a record
   *  that carries it (cose_sign_update, which needs the record and the message in the stream).
   *  Throws FirmwareError. */
  signUpdate(kid: Uint8Array, fields: UpdateFields): Uint8Array {
    if (typeof this.x.cose_sign_model === 'function' && typeof this.x.kernel_load_begin === 'function') {
      this.kernel ??= new Kernel(this.fw);
      let loaded = false;
      try { this.kernel.load(fields.model); loaded = true; } catch (e) { if (!(e instanceof FirmwareError)) throw e; }
      if (loaded) return this.signModelUpdate(kid, fields);
    }
    const rec = encodeRecord(kid, fields);
    const n = this.check(this.x.cose_sign_update(this.put(rec), rec.length), 'signUpdate');
    return this.out(n);
  }

  /** COSE_Sign1 of a device update whose model is the kernel's current model (cose_sign_model):
   *  the firmware serialises the payload from the model in memory, twice through SHA-512 for
   *  Ed25519, and the host reads the message in pieces that fit the stream's room
   *  (cose_update_read). Same bytes as signUpdate with the exported model. Throws FirmwareError
   *  (E_NOT_READY without a model or key). */
  signModelUpdate(kid: Uint8Array, fields: Omit<UpdateFields, 'model'>): Uint8Array {
    const rec = encodeRecord(kid, { ...fields, model: new Uint8Array(0) }, false);
    const total = this.check(this.x.cose_sign_model(this.put(rec), rec.length), 'signUpdate');
    const msg = new Uint8Array(total), room = Math.max(this.x.crypto_out_room(), 1024);
    for (let off = 0; off < total;) {
      const n = this.check(this.x.cose_update_read(off, Math.min(room, total - off)), 'signUpdate');
      msg.set(this.fw.bytes(this.x.crypto_out(), n), off);
      off += n;
    }
    return msg;
  }

  /** Seeds the firmware's DP noise generator: from `seed` (32 bytes, reproducible) or, without
   *  it, from the host entropy import. */
  seedNoise(seed?: Uint8Array): void {
    if (seed) this.check(this.x.dp_seed(this.put(seed), seed.length), 'seedNoise');
    else this.check(this.x.dp_seed_entropy(), 'seedNoise');
  }

  /** Clips `values` to L1 norm ≤ clipL1 and adds discrete Laplace noise of scale 2·clipL1/ε in
   *  firmware (seed paper Eq. 3–5). ε is rounded to thousandths. Returns the noised copy and ε×1000. */
  privatize(values: Int32Array, clipL1: number, epsilon: number): PrivatizeResult {
    const epsM = Math.round(epsilon * 1000);
    const per = Math.max(16, Math.floor(this.x.crypto_buf_room() / 4));
    if (values.length > per) return this.privatizeInPieces(values, clipL1, epsM, per);
    const p = this.put(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
    const spent = this.check(this.x.dp_privatize(p, values.length, clipL1, epsM), 'privatize');
    return { values: new Int32Array(this.fw.bytes(p, values.byteLength).slice().buffer), epsM: spent };
  }

  /** privatize for a vector larger than the stream's room: the firmware sums the L1 norm over a
   *  first pass of pieces of `per` values, then clips and noises the same pieces (dp_l1_add,
   *  dp_privatize_begin, dp_privatize_part); the result equals the one-call dp_privatize. */
  private privatizeInPieces(values: Int32Array, clipL1: number, epsM: number, per: number): PrivatizeResult {
    const out = Int32Array.from(values);
    const piece = (i: number) => new Uint8Array(out.buffer, i * 4, Math.min(per, out.length - i) * 4);
    this.check(this.x.dp_l1_begin(), 'privatize');
    for (let i = 0; i < out.length; i += per) this.check(this.x.dp_l1_add(this.put(piece(i)), piece(i).length / 4), 'privatize');
    const spent = this.check(this.x.dp_privatize_begin(clipL1, epsM), 'privatize');
    for (let i = 0; i < out.length; i += per) {
      const b = piece(i), p = this.put(b);
      this.check(this.x.dp_privatize_part(p, b.length / 4), 'privatize');
      b.set(this.fw.bytes(p, b.length));
    }
    return { values: out, epsM: spent };
  }


  /** Raw discrete Laplace noise P(x) ∝ exp(-|x|·s/t), `count` samples (calibration, tests). */
  laplaceNoise(count: number, t: number, s: number): Int32Array {
    const p = this.put(new Uint8Array(count * 4));
    this.check(this.x.dp_laplace(p, count, t, s), 'laplaceNoise');
    return new Int32Array(this.fw.bytes(p, count * 4).slice().buffer);
  }

  /** Total ε spent by privatize since the instance started (×1000). */
  epsilonSpentM(): number { return this.x.dp_spent_m() >>> 0; }
}

function u64(v: number, what: string): bigint {
  if (!Number.isSafeInteger(v) || v < 0) throw new FirmwareError(-2, `${what} must be an unsigned safe integer`);
  return BigInt(v);
}

/** The flat input record of cose_sign_update (layout in firmware/crypto/update.ts); without
 *  `withModel`, the record of cose_sign_model (no `u32 modelLen ‖ model`). */
export function encodeRecord(kid: Uint8Array, f: UpdateFields, withModel = true): Uint8Array {
  const task = utf8.encode(f.task);
  const metrics = Object.entries(f.metrics).map(([k, v]) => {
    if (!Number.isSafeInteger(v)) throw new FirmwareError(-2, `metric ${k} must be a safe integer`);
    return [utf8.encode(k), BigInt(v)] as const;
  });
  let len = 1 + kid.length + 1 + task.length + 24 + 32 + (withModel ? 4 + f.model.length : 0) + 1;
  for (const [k] of metrics) len += 1 + k.length + 8;
  const b = new Uint8Array(len);
  const dv = new DataView(b.buffer);
  let q = 0;
  const bytes = (x: Uint8Array) => { b.set(x, q); q += x.length; };
  if (kid.length > 255 || task.length > 255 || metrics.length > 255) throw new FirmwareError(-2, 'field too long');
  b[q++] = kid.length; bytes(kid);
  b[q++] = task.length; bytes(task);
  dv.setBigUint64(q, u64(f.round, 'round'), true); dv.setBigUint64(q + 8, u64(f.n, 'n'), true); dv.setBigUint64(q + 16, u64(f.ctr, 'ctr'), true); q += 24;
  if (f.base.length !== 32) throw new FirmwareError(-2, 'base must be 32 bytes');
  bytes(f.base);
  if (withModel) { dv.setUint32(q, f.model.length, true); q += 4; bytes(f.model); }
  b[q++] = metrics.length;
  for (const [k, v] of metrics) {
    if (k.length > 255) throw new FirmwareError(-2, 'metric key too long');
    b[q++] = k.length; bytes(k); dv.setBigInt64(q, v, true); q += 8;
  }
  return b;
}

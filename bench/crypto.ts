// Device-crypto benchmark (issue 4 §6): Ed25519 sign/verify and SHA-256 throughput of the firmware
// .wasm against @noble/curves, @noble/hashes, libsodium-wrappers (libsodium's WASM build), hash-wasm
// and node:crypto, in one process on one core. Each figure is the best of 3 short timed runs.
import { statSync } from 'node:fs';
import { createHash, createPrivateKey, sign as nodeSign, verify as nodeVerify, createPublicKey } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { createSHA256 } from 'hash-wasm';
import { FirmwareInstance, firmwarePath } from '../boards/firmware/instance.js';
import { DeviceSigner } from '../boards/firmware/signer.js';
import { ed25519PublicKey } from '../protocol/cose.js';

type Log = (line: string) => void;
const RUN_MS = 250;

/** Operations per second of `fn`, best of 3 runs of RUN_MS after a warm-up. */
function rate(fn: () => void): number {
  for (let i = 0; i < 50; i++) fn();
  let best = 0;
  for (let r = 0; r < 3; r++) {
    let n = 0;
    const t0 = performance.now();
    let t = t0;
    while (t - t0 < RUN_MS) { for (let i = 0; i < 10; i++) fn(); n += 10; t = performance.now(); }
    best = Math.max(best, n / ((t - t0) / 1000));
  }
  return best;
}

const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export default {
  name: 'crypto',
  async run(log: Log) {
    const json: Record<string, number | string> = {};
    const rows: [string, string, string][] = [];
    const seed = new Uint8Array(32).map((_, i) => i + 1);
    const msg = new Uint8Array(100).map((_, i) => i);

    // --- firmware, through its raw exports (message copied in on every call, as a host would)
    const fw = new FirmwareInstance();
    const signer = new DeviceSigner(fw);
    signer.provision(seed.slice());
    const pk = signer.publicKey();
    const sig = signer.sign(msg);
    const x = fw.exports;
    const buf: number = x.crypto_buf(1 << 20);
    const put = (b: Uint8Array, at = 0) => fw.bytes(buf + at, b.length).set(b);
    log('firmware Ed25519');
    json.fw_ed25519_sign_per_s = rate(() => { put(msg); x.ed25519_sign(buf, msg.length); });
    put(pk, 0); put(sig, 32); put(msg, 96);
    if (x.ed25519_verify(buf, 32, buf + 96, msg.length, buf + 32, 64) !== 0) throw new Error('firmware verify failed');
    json.fw_ed25519_verify_per_s = rate(() => { put(msg, 96); x.ed25519_verify(buf, 32, buf + 96, msg.length, buf + 32, 64); });

    log('@noble/curves Ed25519');
    json.noble_ed25519_sign_per_s = rate(() => { ed25519.sign(msg, seed); });
    json.noble_ed25519_verify_per_s = rate(() => { ed25519.verify(sig, msg, pk); });

    log('libsodium-wrappers Ed25519');
    const sodium: any = (await import('libsodium-wrappers' as string)).default;
    await sodium.ready;
    const kp = sodium.crypto_sign_seed_keypair(seed);
    json.libsodium_ed25519_sign_per_s = rate(() => { sodium.crypto_sign_detached(msg, kp.privateKey); });
    json.libsodium_ed25519_verify_per_s = rate(() => { sodium.crypto_sign_verify_detached(sig, msg, kp.publicKey); });

    log('node:crypto Ed25519');
    const nodeSk = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
    const nodePk = ed25519PublicKey(pk);
    void createPublicKey;
    json.node_ed25519_sign_per_s = rate(() => { nodeSign(null, msg, nodeSk); });
    json.node_ed25519_verify_per_s = rate(() => { nodeVerify(null, msg, nodePk, sig); });

    // --- SHA-256 throughput
    log('SHA-256');
    const mib = new Uint8Array(1 << 20).map((_, i) => (i * 31) & 255);
    const small = mib.subarray(0, 32);
    const hw = await createSHA256();
    const mbps = (bytes: number, fn: () => void) => (rate(fn) * bytes) / 1e6;
    const fwSha = (b: Uint8Array) => () => { put(b); x.sha256(buf, b.length); };
    const hwSha = (b: Uint8Array) => () => { hw.init(); hw.update(b); hw.digest('binary'); };
    const nodeSha = (b: Uint8Array) => () => { createHash('sha256').update(b).digest(); };
    json.fw_sha256_32b_mb_per_s = mbps(32, fwSha(small));
    json.hashwasm_sha256_32b_mb_per_s = mbps(32, hwSha(small));
    json.noble_sha256_32b_mb_per_s = mbps(32, () => { nobleSha256(small); });
    json.node_sha256_32b_mb_per_s = mbps(32, nodeSha(small));
    json.fw_sha256_1mib_mb_per_s = mbps(1 << 20, fwSha(mib));
    json.hashwasm_sha256_1mib_mb_per_s = mbps(1 << 20, hwSha(mib));
    json.noble_sha256_1mib_mb_per_s = mbps(1 << 20, () => { nobleSha256(mib); });
    json.node_sha256_1mib_mb_per_s = mbps(1 << 20, nodeSha(mib));

    json.firmware_wasm_bytes = statSync(firmwarePath('release')).size;

    for (const k of Object.keys(json)) if (typeof json[k] === 'number') json[k] = Math.round((json[k] as number) * 10) / 10;
    const n = (k: string) => json[k] as number;
    json.fw_vs_libsodium_sign = Math.round((n('fw_ed25519_sign_per_s') / n('libsodium_ed25519_sign_per_s')) * 100) / 100;
    json.fw_vs_libsodium_verify = Math.round((n('fw_ed25519_verify_per_s') / n('libsodium_ed25519_verify_per_s')) * 100) / 100;
    json.fw_vs_noble_sign = Math.round((n('fw_ed25519_sign_per_s') / n('noble_ed25519_sign_per_s')) * 100) / 100;
    json.fw_vs_hashwasm_sha256_1mib = Math.round((n('fw_sha256_1mib_mb_per_s') / n('hashwasm_sha256_1mib_mb_per_s')) * 100) / 100;

    // targets (issue 4 §6); a miss is reported with its size
    const missed: string[] = [];
    const want = (ok: boolean, what: string) => { if (!ok) missed.push(what); };
    want(n('fw_ed25519_sign_per_s') >= 10_000, `sign ${n('fw_ed25519_sign_per_s')}/s < 10000/s (${Math.round(100 - n('fw_ed25519_sign_per_s') / 100)}% short)`);
    want(n('fw_ed25519_verify_per_s') >= 4_000, `verify ${n('fw_ed25519_verify_per_s')}/s < 4000/s (${Math.round(100 - n('fw_ed25519_verify_per_s') / 40)}% short)`);
    want(n('fw_vs_libsodium_sign') >= 0.5, `sign ${n('fw_vs_libsodium_sign')}× libsodium < 0.5×`);
    want(n('fw_vs_noble_sign') >= 7, `sign ${n('fw_vs_noble_sign')}× noble < 7×`);
    want(n('fw_vs_hashwasm_sha256_1mib') >= 1, `SHA-256 1 MiB ${n('fw_vs_hashwasm_sha256_1mib')}× hash-wasm < 1×`);
    want(n('firmware_wasm_bytes') <= 32 * 1024, `firmware ${n('firmware_wasm_bytes')} B > 32768 B (+${n('firmware_wasm_bytes') - 32768} B)`);
    json.crypto_targets_missed = missed.length ? missed.join('; ') : 'none';

    const r = (label: string, k: string, unit: string) => rows.push([label, String(json[k]), unit]);
    r('Ed25519 sign, firmware', 'fw_ed25519_sign_per_s', '/s');
    r('Ed25519 sign, libsodium-wrappers', 'libsodium_ed25519_sign_per_s', '/s');
    r('Ed25519 sign, @noble/curves', 'noble_ed25519_sign_per_s', '/s');
    r('Ed25519 sign, node:crypto', 'node_ed25519_sign_per_s', '/s');
    r('Ed25519 verify, firmware', 'fw_ed25519_verify_per_s', '/s');
    r('Ed25519 verify, libsodium-wrappers', 'libsodium_ed25519_verify_per_s', '/s');
    r('Ed25519 verify, @noble/curves', 'noble_ed25519_verify_per_s', '/s');
    r('Ed25519 verify, node:crypto', 'node_ed25519_verify_per_s', '/s');
    r('SHA-256 1 MiB, firmware', 'fw_sha256_1mib_mb_per_s', 'MB/s');
    r('SHA-256 1 MiB, hash-wasm', 'hashwasm_sha256_1mib_mb_per_s', 'MB/s');
    r('SHA-256 1 MiB, @noble/hashes', 'noble_sha256_1mib_mb_per_s', 'MB/s');
    r('SHA-256 1 MiB, node:crypto', 'node_sha256_1mib_mb_per_s', 'MB/s');
    r('SHA-256 32 B, firmware', 'fw_sha256_32b_mb_per_s', 'MB/s');
    r('SHA-256 32 B, hash-wasm', 'hashwasm_sha256_32b_mb_per_s', 'MB/s');
    r('release firmware .wasm', 'firmware_wasm_bytes', 'bytes');
    rows.push(['targets missed', String(json.crypto_targets_missed), '']);
    return { rows, json };
  },
};

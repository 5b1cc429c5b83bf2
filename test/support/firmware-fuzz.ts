// Fuzzing of the firmware ABI under Node; the same generator as boards/hosts/wamr/fuzz.c (see the
// specification at the top of that file), so both engines make the same calls and must agree on
// the digest of every result. Linear memory is capped (a host may refuse memory.grow; the
// firmware answers E_TOO_LARGE) so that a call's work stays bounded.

const BOUNDS = [0, 1, -1, 2, 32, 64, 255, 0x7fffffff, -0x80000000, 0x10000, 0xffff, 1 << 24];

/** Result of one fuzz run (same fields as fw-tool fuzz's JSON). */
export interface FuzzResult {
  engine: string; calls: number; exports: number; traps: number; digest: number;
  selftests: number; unhealthy: number; healthy_digest: number; memory_bytes: number;
  seconds: number; first_trap: string;
}

import { withMaxPages } from '../../boards/firmware/pages.js';

export { withMaxPages };

/** Runs `calls` random export calls under Node (V8). Throws only on setup errors. */
export function fuzzNode(o: { wasm: Uint8Array; calls: number; batch: number; seed: number; maxPages: number }): FuzzResult {
  const module = new WebAssembly.Module(withMaxPages(o.wasm, o.maxPages));
  const xs = (st: { s: number }) => { let s = st.s; s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; st.s = s; return s; };
  const instance = (e: { s: number }) => {
    let mem: WebAssembly.Memory | undefined;
    const inst = new WebAssembly.Instance(module, { env: {
      host_entropy: (ptr: number, len: number): number => {
        if ((xs(e) & 15) === 0) return -1;
        const b = new Uint8Array(mem!.buffer, ptr, len);
        for (let i = 0; i < len; i++) b[i] = xs(e) & 0xff;
        return 0;
      },
    } });
    mem = inst.exports.memory as WebAssembly.Memory;
    return { x: inst.exports as Record<string, any>, mem };
  };
  const healthy = instance({ s: (o.seed ^ 0x5bd1e995) >>> 0 }).x.kernel_selftest() >>> 0;
  const { x, mem } = instance({ s: (o.seed ^ 0x5bd1e995) >>> 0 });
  const names = WebAssembly.Module.exports(module).filter((e) => e.kind === 'function' && e.name !== 'kernel_selftest').map((e) => e.name).sort();
  const fns = names.map((n) => x[n] as (...a: number[]) => number);
  const st = { s: o.seed >>> 0 };
  const draw = (m: number): number => {
    switch (xs(st) & 7) {
      case 0: case 1: return (xs(st) % 64) - 8;
      case 2: return BOUNDS[xs(st) % 12];
      case 3: case 4: return (m - 1 - (xs(st) % 65536)) | 0;
      case 5: return (m - 1 - (xs(st) % 4096)) | 0;
      case 6: return xs(st) | 0;
      default: return xs(st) % 1024;
    }
  };
  const rec = new DataView(new ArrayBuffer(12));
  let h = 2166136261, traps = 0, selftests = 0, unhealthy = 0, firstTrap = '';
  const t0 = performance.now();
  for (let c = 0; c < o.calls; c++) {
    const i = xs(st) % fns.length, f = fns[i];
    const m = mem.buffer.byteLength;
    const args: number[] = [];
    for (let k = 0; k < f.length; k++) args.push(draw(m));
    let r: number;
    try { r = f(...args); } catch (e) {
      if (traps++ === 0) firstTrap = `call ${c} ${names[i]}: ${(e as Error).message}`;
      r = NaN;
    }
    rec.setUint32(0, i, true);
    if (Number.isNaN(r)) { rec.setUint32(4, 0, true); rec.setUint32(8, 0x7ff80000, true); } else rec.setFloat64(4, r, true);
    for (let k = 0; k < 12; k++) { h ^= rec.getUint8(k); h = Math.imul(h, 16777619) >>> 0; }
    if ((c + 1) % o.batch === 0 || c + 1 === o.calls) {
      selftests++;
      if ((x.kernel_selftest() >>> 0) !== healthy) unhealthy++;
    }
  }
  return { engine: 'node', calls: o.calls, exports: fns.length, traps, digest: h, selftests, unhealthy, healthy_digest: healthy,
    memory_bytes: mem.buffer.byteLength, seconds: (performance.now() - t0) / 1000, first_trap: firstTrap };
}

// Loads the compiled firmware .wasm and instantiates it with the host imports of the
// firmware ABI (docs/firmware-abi.md). One FirmwareInstance = one emulated device.
import { readFileSync } from 'node:fs';
import { randomFillSync } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { withMaxPages, WASM_PAGE } from './pages.js';

/** Path of a built firmware variant (`release`, `debug`, ...) under build/firmware. */
export function firmwarePath(variant = 'release'): string {
  // this file is build/boards/firmware/instance.js → build/firmware/<variant>.wasm
  const here = dirname(fileURLToPath(import.meta.url));
  return join(here, '..', '..', 'firmware', `${variant}.wasm`);
}

const moduleCache = new Map<string, WebAssembly.Module>();

/** Compiles (once per process and page limit) and returns the firmware module; with `maxPages`
 *  its linear memory cannot grow past that many 64 KiB pages (pages.ts). */
export function firmwareModule(variant = 'release', maxPages?: number): WebAssembly.Module {
  const key = maxPages === undefined ? variant : `${variant}/${maxPages}`;
  let m = moduleCache.get(key);
  if (!m) {
    const wasm = readFileSync(firmwarePath(variant));
    m = new WebAssembly.Module(maxPages === undefined ? wasm : withMaxPages(wasm, maxPages));
    moduleCache.set(key, m);
  }
  return m;
}

/** Host side of the firmware imports; injected so tests can fix entropy. */
export interface HostIO {
  /** Fills `out` with entropy; returns false on failure. */
  entropy(out: Uint8Array): boolean;
  log?(code: number, value: number): void;
}

export const defaultHostIO: HostIO = {
  entropy(out) { randomFillSync(out); return true; },
};

/** A live firmware instance with typed access to its linear memory. */
export class FirmwareInstance {
  readonly exports: Record<string, any>;
  readonly memory: WebAssembly.Memory;
  /** Most bytes of linear memory this instance may hold (undefined: the engine's limit). */
  readonly memoryLimit: number | undefined;

  /** `maxPages` bounds the instance's linear memory (a failed grow makes the firmware answer
   *  E_TOO_LARGE); omitted, memory grows as the firmware asks. */
  constructor(io: HostIO = defaultHostIO, variant = 'release', maxPages?: number) {
    this.memoryLimit = maxPages === undefined ? undefined : maxPages * WASM_PAGE;
    let mem: WebAssembly.Memory | undefined;
    const imports = {
      env: {
        host_entropy: (ptr: number, len: number): number => {
          if (!mem) return -1;
          return io.entropy(new Uint8Array(mem.buffer, ptr, len)) ? 0 : -1;
        },
        host_log: (code: number, value: number): void => { io.log?.(code, value); },
      },
    };
    const inst = new WebAssembly.Instance(firmwareModule(variant, maxPages), imports);
    this.exports = inst.exports as Record<string, any>;
    this.memory = this.exports.memory as WebAssembly.Memory;
    mem = this.memory;
  }

  /** A fresh view of `len` bytes at `ptr` (views go stale if memory grows). */
  bytes(ptr: number, len: number): Uint8Array {
    return new Uint8Array(this.memory.buffer, ptr, len);
  }
}

// Loads the compiled firmware .wasm and instantiates it with the host imports of the
// firmware ABI (docs/firmware-abi.md). One FirmwareInstance = one emulated device.
import { readFileSync } from 'node:fs';
import { randomFillSync } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

/** Path of a built firmware variant (`release`, `debug`, ...) under build/firmware. */
export function firmwarePath(variant = 'release'): string {
  // this file is build/boards/firmware/instance.js → build/firmware/<variant>.wasm
  const here = dirname(fileURLToPath(import.meta.url));
  return join(here, '..', '..', 'firmware', `${variant}.wasm`);
}

const moduleCache = new Map<string, WebAssembly.Module>();

/** Compiles (once per process) and returns the firmware module. */
export function firmwareModule(variant = 'release'): WebAssembly.Module {
  let m = moduleCache.get(variant);
  if (!m) {
    m = new WebAssembly.Module(readFileSync(firmwarePath(variant)));
    moduleCache.set(variant, m);
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

  constructor(io: HostIO = defaultHostIO, variant = 'release') {
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
    const inst = new WebAssembly.Instance(firmwareModule(variant), imports);
    this.exports = inst.exports as Record<string, any>;
    this.memory = this.exports.memory as WebAssembly.Memory;
    mem = this.memory;
  }

  /** A fresh view of `len` bytes at `ptr` (views go stale if memory grows). */
  bytes(ptr: number, len: number): Uint8Array {
    return new Uint8Array(this.memory.buffer, ptr, len);
  }
}

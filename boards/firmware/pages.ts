// Host-side memory bound of a firmware instance: the module's memory section rewritten to declare
// a maximum number of 64 KiB pages (WebAssembly core spec §5.5.8, limits). Once instantiated, a
// `memory.grow` past the maximum fails, and the firmware answers E_TOO_LARGE instead of taking
// more memory (firmware/kernel/layout.ts `ensureMemory`), so a host can size each device's memory
// to its need, as a microcontroller's fixed RAM would.

/** Bytes in one WebAssembly page. */
export const WASM_PAGE = 65536;

function uleb(v: number): number[] {
  const out: number[] = [];
  do { let b = v & 0x7f; v >>>= 7; if (v) b |= 0x80; out.push(b); } while (v);
  return out;
}

function readUleb(b: Uint8Array, p: number): [number, number] {
  let v = 0, shift = 0;
  for (;;) {
    if (p >= b.length) throw new RangeError('LEB128 past the end of the module');
    const x = b[p++];
    v += (x & 0x7f) * 2 ** shift;
    if (!(x & 0x80)) return [v, p];
    shift += 7;
    if (shift > 28) throw new RangeError('LEB128 too long');
  }
}

/** The module with its (single, 32-bit) memory's maximum set to `maxPages`. Throws RangeError if
 *  the module has no memory section, several memories, or an initial size above `maxPages`. */
export function withMaxPages(wasm: Uint8Array, maxPages: number): Uint8Array<ArrayBuffer> {
  if (!Number.isInteger(maxPages) || maxPages < 1 || maxPages > 65536) throw new RangeError(`maxPages ${maxPages} out of range 1..65536`);
  const parts: number[][] = [Array.from(wasm.subarray(0, 8))];
  let p = 8, patched = false;
  while (p < wasm.length) {
    const id = wasm[p];
    const [size, q] = readUleb(wasm, p + 1);
    const body = wasm.subarray(q, q + size);
    if (id === 5) {
      let [count, r] = readUleb(body, 0);
      if (count !== 1) throw new RangeError('expected one memory');
      const flags = body[r++];
      const [min] = readUleb(body, r);
      if (flags > 1) throw new RangeError('unexpected memory flags');
      if (min > maxPages) throw new RangeError(`the module needs ${min} pages initially, above the maximum ${maxPages}`);
      const nb = [...uleb(1), 1, ...uleb(min), ...uleb(maxPages)];
      parts.push([5, ...uleb(nb.length), ...nb]);
      patched = true;
    } else parts.push(Array.from(wasm.subarray(p, q + size)));
    p = q + size;
  }
  if (!patched) throw new RangeError('no memory section');
  return Uint8Array.from(parts.flat());
}

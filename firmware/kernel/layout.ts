// Linear-memory layout. Everything the kernel uses is carved out of the memory above
// __heap_base once, when a model is created or loaded; the training and evaluation loops
// never allocate. The data stream (host-written batches, model blobs) sits last so its
// size can change without moving the model.
import { OK, E_HOST_HEAP } from "../errors";

let top: usize = 0;        // first free byte after the model regions
let streamPtr: usize = 0;  // start of the host stream buffer (= top after a layout)
let streamCap: usize = 0;
let peakModel: usize = 0;  // high-water mark of non-stream memory (bytes from address 0)
let peakTotal: usize = 0;  // high-water mark including the stream
let hostChecked = false;
let epoch: u32 = 0;
let version: u32 = 0;
let hostHeapFree = true;

/** Pages the module declares (asconfig.json `initialMemory`). */
const INITIAL_PAGES: i32 = 1;

/** OK, or E_HOST_HEAP when the host runtime put memory of its own into linear memory (WAMR with an
 *  app heap size > 0 appends its heap after the module's pages, where the stream would grow into
 *  it). Decided once, on the first call, before the firmware itself grows memory: a fresh
 *  instance has exactly INITIAL_PAGES pages. */
export function hostMemoryCheck(): i32 {
  if (!hostChecked) { hostChecked = true; hostHeapFree = memory.size() == INITIAL_PAGES; }
  return hostHeapFree ? OK : E_HOST_HEAP;
}

/** True if [p, p + len) lies inside the host stream: the only firmware region a host pointer may
 *  address (the static data, tables and model below it are never written through a host pointer). */
export function inStream(p: usize, len: usize): bool {
  return streamPtr != 0 && p >= streamPtr && <u64>p + <u64>len <= <u64>streamPtr + <u64>streamCap;
}

// @ts-ignore: decorator
@inline function align16(x: usize): usize { return (x + 15) & ~<usize>15; }

/** Start a new layout just after the permanent tables (which start at __heap_base). */
export function layoutReset(base: usize): void { top = align16(base); streamPtr = 0; streamCap = 0; epoch++; version++; }

/** Reserves `bytes` (16-byte aligned) and returns their address; no memory is touched. */
export function layoutAlloc(bytes: usize): usize { const p = top; top = align16(top + bytes); return p; }

/** Current end of the model regions. */
export function layoutTop(): usize { return top; }

/** Grows linear memory so that [0, end) is addressable. False if the host refuses. */
export function ensureMemory(end: usize): bool {
  const pages = i32((end + 0xffff) >> 16);
  const cur = memory.size();
  if (pages > cur && memory.grow(pages - cur) < 0) return false;
  return true;
}

/** Closes the layout: the model regions end here, the stream starts here. */
export function layoutCommit(): bool {
  if (!ensureMemory(top)) return false;
  if (top > peakModel) peakModel = top;
  if (top > peakTotal) peakTotal = top;
  streamPtr = top;
  streamCap = 0;
  return true;
}

/** Makes the stream at least `bytes` long (growing memory once if needed). */
export function streamReserve(bytes: usize): bool {
  if (bytes <= streamCap) return true;
  if (!ensureMemory(streamPtr + bytes)) return false;
  streamCap = bytes;
  if (streamPtr + bytes > peakTotal) peakTotal = streamPtr + bytes;
  return true;
}

export function streamBase(): usize { return streamPtr; }
/** Bytes from the stream start to the end of the current pages (0 before a layout). */
export function streamRoom(): usize {
  const end = <usize>memory.size() << 16;
  return streamPtr == 0 || streamPtr >= end ? 0 : end - streamPtr;
}
/** Counts layouts: changes whenever the stream moves (kernel_init / kernel_load). */
export function layoutEpoch(): u32 { return epoch; }
/** Counts changes of the model (layouts and training steps): a message signed from the model
 *  stays readable only while this is unchanged (firmware/crypto/cose.ts). */
export function modelVersion(): u32 { return version; }
/** Records a change of the model's parameters. */
export function modelChanged(): void { version++; }
export function streamCapacity(): usize { return streamCap; }
export function peakModelBytes(): usize { return peakModel; }
export function peakTotalBytes(): usize { return peakTotal; }

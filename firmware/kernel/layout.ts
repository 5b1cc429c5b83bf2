// Linear-memory layout. Everything the kernel uses is carved out of the memory above
// __heap_base once, when a model is created or loaded; the training and evaluation loops
// never allocate. The data stream (host-written batches, model blobs) sits last so its
// size can change without moving the model.

let top: usize = 0;        // first free byte after the model regions
let streamPtr: usize = 0;  // start of the host stream buffer (= top after a layout)
let streamCap: usize = 0;
let peakModel: usize = 0;  // high-water mark of non-stream memory (bytes from address 0)
let peakTotal: usize = 0;  // high-water mark including the stream

// @ts-ignore: decorator
@inline function align16(x: usize): usize { return (x + 15) & ~<usize>15; }

/** Start a new layout just after the permanent tables (which start at __heap_base). */
export function layoutReset(base: usize): void { top = align16(base); streamPtr = 0; streamCap = 0; }

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
export function streamCapacity(): usize { return streamCap; }
export function peakModelBytes(): usize { return peakModel; }
export function peakTotalBytes(): usize { return peakTotal; }

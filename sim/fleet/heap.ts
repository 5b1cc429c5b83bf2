// A full garbage collection before a memory figure is taken, so the figure is what the boards
// hold (live objects) rather than what the last round left for the collector: one round of
// 10,000 boards leaves ≈ 160 MB of sent update buffers behind in the workers until V8 next
// collects. Uses `--expose-gc`'s gc when the process has it, else turns the flag on at run time
// (V8 reads it when a new context is created).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gc: (() => void) | undefined = (globalThis as { gc?: () => void }).gc;

/** Runs a full (major) garbage collection in this thread. */
export function fullGc(): void {
  if (!gc) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
}

// All host imports of the firmware live here (firmware ABI, docs/firmware-abi.md).
// The release .wasm may import at most four functions; keep this list short. Today it imports one.

/** Fill `len` bytes at `ptr` with entropy from the host. Returns 0 on success, negative on failure. */
@external("env", "host_entropy")
export declare function host_entropy(ptr: usize, len: u32): i32;

/** Replaces AssemblyScript's `abort` import (asconfig `use`): a failed internal assertion traps.
 *  Public entry points validate their input and return error codes, so this is only reached on a bug. */
export function fw_abort(message: usize, fileName: usize, line: u32, column: u32): void {
  unreachable();
}

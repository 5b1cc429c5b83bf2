// Board profiles: one table entry per board over one abstraction (cf. johnny-five Controllers).
// Numbers are nominal figures the simulator uses to model time and links; the emulated board
// runs the same firmware at host speed.

/** What the simulator and the device agent need to know about a board. */
export interface BoardProfile {
  name: string;
  /** Linear memory available to the firmware instance, bytes. */
  memoryBytes: number;
  /** Relative training speed (emulated = 1). */
  computeScale: number;
  /** Uplink: one-way latency (ms), loss probability, bandwidth (bytes/s). */
  link: { latencyMs: number; loss: number; bytesPerS: number };
  /** Firmware variant to load (build/firmware/<variant>.wasm). */
  firmware: string;
  /** Where the board is, metres on a site plan (seed 001 Eq. 1's physical distance), when known. */
  position?: [number, number];
}

export const BOARDS: Record<string, BoardProfile> = {
  // ESP32-WROOM: ~320 KB usable SRAM, Xtensa LX6 240 MHz under WAMR/wasm3, Wi-Fi uplink.
  esp32: { name: 'esp32', memoryBytes: 320 * 1024, computeScale: 0.02, link: { latencyMs: 40, loss: 0.01, bytesPerS: 100_000 }, firmware: 'release' },
  // Raspberry Pi 4: Cortex-A72, Node or wasmtime with SIMD, Ethernet/Wi-Fi.
  rpi4: { name: 'rpi4', memoryBytes: 64 * 1024 * 1024, computeScale: 0.3, link: { latencyMs: 10, loss: 0.001, bytesPerS: 2_000_000 }, firmware: 'release' },
  // Emulated board: the firmware on this host, loopback link. Its SIMD build (byte-identical
  // models and updates, test kernel-train; same pages): training 0.6 → 0.25 ms per board of the
  // scale scenario, a third of a fleet worker's round.
  emulated: { name: 'emulated', memoryBytes: 320 * 1024, computeScale: 1, link: { latencyMs: 0, loss: 0, bytesPerS: Infinity }, firmware: 'simd' },
};

/** Looks up a profile by name; throws with the list of known boards. */
export function boardProfile(name: string): BoardProfile {
  const p = BOARDS[name];
  if (!p) throw new RangeError(`unknown board ${name}; known: ${Object.keys(BOARDS).join(', ')}`);
  return p;
}

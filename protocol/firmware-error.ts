// The host-side mirror of the firmware's error codes (firmware/errors.ts, docs/firmware-abi.md).
// Every firmware export returns ≥ 0 on success and one of these negative codes on failure; one
// table and one error class serve the kernel wrapper, the signer and the model-blob decoder.

/** Code → [constant name, readable meaning]. Keep in step with firmware/errors.ts (a test checks it). */
export const FIRMWARE_ERRORS: Readonly<Record<number, readonly [string, string]>> = {
  [-1]: ['E_BAD_DIMS', 'wrong dimensions'],
  [-2]: ['E_BAD_PARAM', 'hyper-parameter or label out of range'],
  [-3]: ['E_BAD_HEADER', 'bad model header (magic, version, architecture, quantization)'],
  [-4]: ['E_BAD_LENGTH', 'bad length (blob length does not match its header, or buffer too small)'],
  [-5]: ['E_NOT_READY', 'not ready (no model or key loaded, or call order violated)'],
  [-6]: ['E_BAD_KEY', 'key length or encoding invalid'],
  [-7]: ['E_BAD_SIG', 'signature does not verify'],
  [-8]: ['E_ENTROPY', 'host entropy import failed'],
  [-9]: ['E_TOO_LARGE', 'exceeds a firmware memory or message limit'],
  [-10]: ['E_BAD_MODEL', 'model parameter outside its legal range'],
  [-11]: ['E_HOST_HEAP', 'the host runtime put an app heap into linear memory (use app heap size 0)'],
  [-12]: ['E_BAD_MSG', 'a signed message is malformed (CBOR/COSE structure, fields, hash)'],
};

export const E_BAD_DIMS = -1, E_BAD_PARAM = -2, E_BAD_HEADER = -3, E_BAD_LENGTH = -4, E_NOT_READY = -5;
export const E_BAD_KEY = -6, E_BAD_SIG = -7, E_ENTROPY = -8, E_TOO_LARGE = -9, E_BAD_MODEL = -10;
export const E_HOST_HEAP = -11, E_BAD_MSG = -12;

/** A firmware call (or the host's mirror of a firmware check) failed with `code`.
 *  @example try { kernel.load(blob) } catch (e) { if (e instanceof FirmwareError && e.code === E_BAD_HEADER) … } */
export class FirmwareError extends Error {
  constructor(readonly code: number, op: string, detail?: string) {
    const [name, meaning] = FIRMWARE_ERRORS[code] ?? ['E_UNKNOWN', 'unknown firmware error'];
    super(`${op}: ${detail ?? meaning} (${name}, code ${code})`);
    this.name = 'FirmwareError';
  }
  /** The firmware constant's name (`E_BAD_HEADER`, …). */
  get constant(): string { return FIRMWARE_ERRORS[this.code]?.[0] ?? 'E_UNKNOWN'; }
}

/** Returns `rc` when ≥ 0, else throws FirmwareError(rc, op). */
export function checkFirmware(rc: number, op: string): number {
  if (rc < 0) throw new FirmwareError(rc, op);
  return rc;
}

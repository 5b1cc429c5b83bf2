// A mock-firmata board whose analog pins and SHT31-D the tests drive.
import mockFirmata from 'mock-firmata';

/** A mock Firmata whose analog pins and I²C device the test drives (mock-firmata's own
 *  analogRead/i2cReadOnce do nothing, as johnny-five's tests also stub them). */
export function rig(reportMs = 0) {
  const io = new mockFirmata.Firmata();
  const cbs = new Map<number, (v: number) => void>();
  io.analogRead = (pin: number, cb: (v: number) => void) => { cbs.set(pin, cb); };
  // Firmata reports every analog pin each sampling interval (19 ms by default); here every
  // reportMs of fake time, the value the test set (undefined: the pin reports nothing)
  const pins = new Map<number, number>();
  if (reportMs) setInterval(() => { for (const [p, v] of pins) cbs.get(p)?.(v); }, reportMs);
  const analog = { get: (pin: number) => (v: number) => pins.set(pin, v) };
  // SHT31-D: 6 bytes = T msb, lsb, crc, RH msb, lsb, crc; null = device does not answer (NACK)
  const dev: { bytes: number[] | null } = { bytes: null };
  io.i2cReadOnce = (_addr: number, _len: number, cb: (d: number[]) => void) => { if (dev.bytes) cb(dev.bytes); };
  return { io, analog, dev };
}

/** SHT31-D raw words for a temperature and humidity (datasheet §4.13, inverted). */
export function shtBytes(c: number, rh: number): number[] {
  const t = Math.round(((c + 45) / 175) * 65535), h = Math.round((rh / 100) * 65535);
  return [t >> 8, t & 0xff, 0, h >> 8, h & 0xff, 0];
}
/** TMP36 ADC count for °C at a 5 V reference. */
export const tmp36Raw = (c: number) => Math.round(((c + 50) * 10 * 1023) / 5000);


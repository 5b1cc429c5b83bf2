// The sensor table (johnny-five `Controllers` style, STYLE §2): each entry is parameters over
// the one abstraction in ./sensor.ts. Ranges are the parts' datasheet measuring ranges; the
// "absent" signatures are what the io reports when the part is not connected.
import type five from 'johnny-five';
import type { SensorSpec, Wiring } from './sensor.js';

/** Latest value of a component's `data` events (null until the first one). */
function latest<T>(c: { on(ev: 'data', fn: (d: T) => void): unknown }, pick: (d: T) => number): () => number | null {
  let v: number | null = null;
  c.on('data', (d: T) => { v = pick(d); });
  return () => v;
}

const pinOf = (w: Wiring) => w.pin ?? 'A0';

export const SENSORS: Record<string, SensorSpec> = {
  // Any analog part on a 10-bit ADC pin behind a voltage divider (LDR, soil-moisture probe,
  // potentiometer). An open wire or a short to a supply rail reads exactly 0 or 1023.
  analog: {
    name: 'analog', part: 'analog sensor on a 10-bit ADC pin (johnny-five Sensor)', bus: 'analog', wiring: { pin: 'A0' },
    channels: [{ quantity: 'analog', range: [0, 1023], absent: (v) => v <= 0 || v >= 1023 }],
    open: (j5, board, w, freq) => [latest(new j5.Sensor({ board, pin: pinOf(w), freq }), (d: number) => d)],
  },
  // TMP36: 10 mV/°C with 500 mV offset, −40…+125 °C (Analog Devices datasheet, Table 1), read by
  // johnny-five's Thermometer TMP36 controller (1 °C steps). Unplugged, the pin sits at a rail:
  // raw 0 → −50 °C, raw 1023 → 450 °C with a 5 V reference.
  tmp36: {
    name: 'tmp36', part: 'TMP36 analog temperature sensor (johnny-five Thermometer, controller TMP36)', bus: 'analog', wiring: { pin: 'A0' },
    channels: [{ quantity: 'temperature', range: [-40, 125], absent: (v) => v <= -50 || v >= 450 }],
    open: (j5, board, w, freq) => [latest(new j5.Thermometer({ board, controller: 'TMP36', pin: pinOf(w), freq }), (d: { celsius: number }) => d.celsius)],
  },
  // Sensirion SHT31-D over I²C at 0x44: −40…125 °C, 0…100 %RH (datasheet Table 1/2), read by
  // johnny-five's Multi SHT31D controller. With no device the bus's pull-ups read all ones:
  // raw 0xFFFF → exactly 130 °C and 100 %RH (datasheet §4.13 conversion).
  sht31d: {
    name: 'sht31d', part: 'Sensirion SHT31-D temperature + humidity over I²C (johnny-five Multi, controller SHT31D)', bus: 'i2c', wiring: { address: 0x44 },
    channels: [
      { quantity: 'temperature', range: [-40, 125], absent: (v) => v === 130 },
      { quantity: 'humidity', range: [0, 100] },
    ],
    open: (j5, board, w, freq) => {
      const m = new j5.Multi({ board, controller: 'SHT31D', address: w.address ?? 0x44, freq });
      return [latest(m.thermometer, (d: { celsius: number }) => d.celsius), latest(m.hygrometer, (d: { relativeHumidity: number }) => d.relativeHumidity)];
    },
  },
};

/** Looks up a sensor by name; throws with the list of known sensors. */
export function sensorSpec(name: string): SensorSpec {
  const s = SENSORS[name];
  if (!s) throw new RangeError(`unknown sensor ${name}; known: ${Object.keys(SENSORS).join(', ')}`);
  return s;
}

// The board's store of sensor readings: a bounded ring of fixed-point records, laid out as a
// device keeps them in a flash partition (not in the firmware's linear memory, which holds
// only the model and one streamed batch). One record = 8 bytes, little-endian:
//   u32 time (s since the Unix epoch) · i16 temperature (0.01 °C) · u16 humidity (0.01 %RH)
// Missing channels use sentinels (−32768, 0xFFFF). When full, the oldest record is dropped.
import type { Sample } from '../sensors/reading.js';

export const RECORD_BYTES = 8;
/** Default capacity: 4,096 records = 32 KiB (5.7 h at one reading per 5 s). */
export const DEFAULT_CAPACITY = 4096;
/** Largest capacity: 65,536 records = 512 KiB (a typical ESP32 data partition). */
export const MAX_CAPACITY = 65536;
const NO_T = -32768, NO_H = 0xffff;

/** A stored reading in real units (null = the channel was missing). */
export interface StoredReading { t: number; temperature: number | null; humidity: number | null }

/** Bounded ring of fixed-point readings.
 *  @example const s = new ReadingStore(4096); s.push({ t: Date.now(), temperature: 21.5, humidity: 40 }); s.at(0) */
export class ReadingStore {
  readonly capacity: number;
  private readonly buf: DataView;
  private head = 0;   // index of the oldest record
  private count = 0;
  private dropped = 0;

  constructor(capacity = DEFAULT_CAPACITY) {
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > MAX_CAPACITY) throw new RangeError(`store capacity must be an integer in [1, ${MAX_CAPACITY}], got ${capacity}`);
    this.capacity = capacity;
    this.buf = new DataView(new ArrayBuffer(capacity * RECORD_BYTES));
  }

  /** Records held. */
  get length(): number { return this.count; }
  /** Bytes the records occupy at capacity (the documented size limit). */
  get bytes(): number { return this.capacity * RECORD_BYTES; }
  /** Records dropped because the store was full. */
  get droppedCount(): number { return this.dropped; }

  /** Appends one reading (t in ms); drops the oldest when full. Values are rounded to the
   *  record's fixed point and saturated to its range. Throws RangeError on a bad time. */
  push(r: { t: number; temperature?: number | null; humidity?: number | null }): void {
    const s = Math.floor(r.t / 1000);
    if (!Number.isFinite(s) || s < 0 || s > 0xffffffff) throw new RangeError(`reading time ${r.t} ms is outside the record's u32 seconds`);
    const i = (this.head + this.count) % this.capacity;
    if (this.count === this.capacity) { this.head = (this.head + 1) % this.capacity; this.dropped++; } else this.count++;
    const o = i * RECORD_BYTES;
    const t = r.temperature == null || !Number.isFinite(r.temperature) ? NO_T : Math.max(-32767, Math.min(32767, Math.round(r.temperature * 100)));
    const h = r.humidity == null || !Number.isFinite(r.humidity) ? NO_H : Math.max(0, Math.min(0xfffe, Math.round(r.humidity * 100)));
    this.buf.setUint32(o, s, true);
    this.buf.setInt16(o + 4, t, true);
    this.buf.setUint16(o + 6, h, true);
  }

  /** Appends a sensor sample (./sensors Sample: temperature and/or humidity). */
  pushSample(s: Sample): void { this.push({ t: s.t, temperature: s.values.temperature, humidity: s.values.humidity }); }

  private off(k: number): number {
    if (!Number.isInteger(k) || k < 0 || k >= this.count) throw new RangeError(`record ${k} outside [0, ${this.count})`);
    return ((this.head + k) % this.capacity) * RECORD_BYTES;
  }

  /** Record k (0 = oldest) in fixed point: time s, centi-°C (null), centi-%RH (null). */
  raw(k: number): { s: number; tC: number | null; hC: number | null } {
    const o = this.off(k);
    const t = this.buf.getInt16(o + 4, true), h = this.buf.getUint16(o + 6, true);
    return { s: this.buf.getUint32(o, true), tC: t === NO_T ? null : t, hC: h === NO_H ? null : h };
  }

  /** Record k (0 = oldest) in real units. */
  at(k: number): StoredReading {
    const r = this.raw(k);
    return { t: r.s * 1000, temperature: r.tC === null ? null : r.tC / 100, humidity: r.hC === null ? null : r.hC / 100 };
  }

  /** Forgets every record (e.g. after a sensor swap). */
  clear(): void { this.head = 0; this.count = 0; }
}

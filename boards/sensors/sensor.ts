// One sensor abstraction over johnny-five (STYLE §2: a concrete sensor is a table entry in
// ./table.ts). A SensorReader samples every channel of its sensor each `periodMs`, checks the
// value against the part's legal range, its "not there" signature and a stuck detector, and
// emits typed readings or fault events. It never throws into the agent: driver exceptions
// become `error` faults. Hardware comes in as an injected johnny-five `io` (./board.ts).
import { EventEmitter } from 'node:events';
import type five from 'johnny-five';
import { UNITS, type Quantity, type Reading, type Sample, type SensorFault, type FaultKind } from './reading.js';
import { sourceKey, type SensorBoard } from './board.js';

/** Where a part is wired: an analog pin ('A0') or an I²C address (0x44). */
export interface Wiring { pin?: number | string; address?: number }

/** One channel of a part: its quantity, legal range and "not there" signature. */
export interface ChannelSpec {
  quantity: Quantity;
  /** Datasheet measuring range [min, max]; values outside are `out_of_range`. */
  range: readonly [number, number];
  /** True for a value that means the part is absent (e.g. an analog rail). */
  absent?(v: number): boolean;
}

/** A table entry: how to build the johnny-five component(s) of a part and read each channel. */
export interface SensorSpec {
  /** Table key (`tmp36`). */
  name: string;
  /** What it is, for docs and `--help`. */
  part: string;
  bus: 'analog' | 'i2c';
  channels: readonly ChannelSpec[];
  /** Default wiring (TMP36 on A0, SHT31-D at 0x44). */
  wiring: Wiring;
  /** Builds the component(s) on `board`; returns one value getter per channel (null = no data yet). */
  open(j5: typeof five, board: five.Board, w: Wiring, freqMs: number): Array<() => number | null>;
}

export interface ReaderOptions {
  /** Sampling period, ms (default 5000: the dataset's motes report every 5 s). */
  periodMs?: number;
  /** `unplugged` when no value has arrived this long after start (default 3 periods). */
  timeoutMs?: number;
  /** `stuck` after this many identical consecutive values (default 120 = 10 min at 5 s; the
   *  dataset's longest runs of one value are 13 temperature and 47 humidity readings). */
  stuckAfter?: number;
  /** Clock, ms (default Date.now). */
  now?: () => number;
  wiring?: Wiring;
  /** A deployment's plausible range per quantity, inside the datasheet range (e.g. a probe
   *  that reads 300…700 in soil); values outside are `out_of_range`. */
  ranges?: Partial<Record<Quantity, readonly [number, number]>>;
}

interface ChannelState { last?: number; same: number; fault?: Exclude<FaultKind, 'recovered'>; started: number }

/** Reads one sensor of the table through johnny-five and emits `reading`, `sample` and `fault`.
 *  @example const r = new SensorReader(board, SENSORS.sht31d); r.on('sample', (s) => store.push(s)); r.start(); */
export class SensorReader extends EventEmitter {
  readonly periodMs: number;
  private readonly timeoutMs: number;
  private readonly stuckAfter: number;
  private readonly now: () => number;
  private getters: Array<() => number | null> = [];
  private readonly state: ChannelState[];
  private started = false;

  constructor(private readonly board: SensorBoard, readonly spec: SensorSpec, o: ReaderOptions = {}) {
    super();
    this.periodMs = o.periodMs ?? 5000;
    if (!(Number.isFinite(this.periodMs) && this.periodMs >= 1)) throw new RangeError(`periodMs must be ≥ 1, got ${o.periodMs}`);
    this.timeoutMs = o.timeoutMs ?? 3 * this.periodMs;
    this.stuckAfter = o.stuckAfter ?? 120;
    if (!(Number.isInteger(this.stuckAfter) && this.stuckAfter >= 2)) throw new RangeError(`stuckAfter must be an integer ≥ 2, got ${o.stuckAfter}`);
    this.now = o.now ?? board.now;
    this.state = spec.channels.map(() => ({ same: 0, started: 0 }));
    this.ranges = spec.channels.map((c) => {
      const r = o.ranges?.[c.quantity];
      if (!r) return c.range;
      if (!(r[0] <= r[1] && r[0] >= c.range[0] && r[1] <= c.range[1])) throw new RangeError(`${c.quantity} range [${r}] must lie inside the part's [${c.range}]`);
      return r;
    });
    this.wiring = { ...spec.wiring, ...o.wiring };
  }

  private readonly wiring: Wiring;
  private readonly ranges: ReadonlyArray<readonly [number, number]>;

  /** The io source this sensor's data arrives from (analog pin or I²C address). */
  get source(): string {
    if (this.spec.bus === 'i2c') return sourceKey('i2cRead', this.wiring.address);
    const p = this.wiring.pin;
    return sourceKey('analogRead', typeof p === 'string' ? Number(p.replace(/^A/i, '')) : p);
  }

  /** Builds the components and starts sampling. A driver that throws here is an `error` fault. */
  start(): void {
    if (this.started) return;
    this.started = true;
    const t = this.now();
    for (const s of this.state) s.started = t;
    try {
      // johnny-five components refresh their cached value at `freq`; sample at our own period
      const freq = Math.max(1, Math.min(this.periodMs, 1000));
      this.getters = this.board.build((j5, b) => this.spec.open(j5, b, this.wiring, freq));
    } catch (e) {
      this.spec.channels.forEach((_c, i) => this.enter(i, 'error', undefined, `driver failed to start: ${(e as Error).message}`, t));
      return;
    }
    this.board.timers.every(this.periodMs, () => this.sample());
  }

  /** Takes one sample now (the timer calls this every period). */
  sample(): void {
    const t = this.now();
    const values: Sample['values'] = {};
    let any = false;
    // a part that stops answering leaves johnny-five's cached value in place: judge freshness at the io
    const last = this.board.lastDelivery(this.source);
    const stale = last !== undefined && t - last >= this.timeoutMs;
    this.spec.channels.forEach((c, i) => {
      let v: number | null;
      try { v = stale ? null : this.getters[i]?.() ?? null; } catch (e) { this.enter(i, 'error', undefined, (e as Error).message, t); return; }
      if (stale) { this.enter(i, 'unplugged', undefined, `no data from the io for ${t - last!} ms`, t); return; }
      const ok = this.check(i, c, v, t);
      if (ok === undefined) return;
      const r: Reading = { sensor: this.spec.name, quantity: c.quantity, unit: UNITS[c.quantity], value: ok, t };
      this.emit('reading', r);
      values[c.quantity] = ok;
      any = true;
    });
    if (any) this.emit('sample', { sensor: this.spec.name, t, values } satisfies Sample);
  }

  /** The value if it is valid, else undefined (after raising the fault once). */
  private check(i: number, c: ChannelSpec, v: number | null, t: number): number | undefined {
    const s = this.state[i];
    if (v === null || !Number.isFinite(v)) {
      if (t - s.started >= this.timeoutMs) this.enter(i, 'unplugged', undefined, `no data for ${t - s.started} ms`, t);
      return undefined;
    }
    s.same = s.last === v ? s.same + 1 : 1;
    s.last = v;
    if (c.absent?.(v)) { this.enter(i, 'unplugged', v, `${v} ${UNITS[c.quantity]} is the part's not-connected value`, t); return undefined; }
    const [lo, hi] = this.ranges[i];
    if (v < lo || v > hi) { this.enter(i, 'out_of_range', v, `${v} ${UNITS[c.quantity]} outside [${lo}, ${hi}]`, t); return undefined; }
    if (s.same >= this.stuckAfter) { this.enter(i, 'stuck', v, `${s.same} identical samples`, t); return undefined; }
    if (s.fault) {
      const was = s.fault;
      s.fault = undefined;
      this.emitFault({ sensor: this.spec.name, quantity: c.quantity, kind: 'recovered', t, value: v, detail: `after ${was}` });
    }
    return v;
  }

  private enter(i: number, kind: Exclude<FaultKind, 'recovered'>, value: number | undefined, detail: string, t: number): void {
    const s = this.state[i];
    if (s.fault === kind) return;
    s.fault = kind;
    this.emitFault({ sensor: this.spec.name, quantity: this.spec.channels[i].quantity, kind, t, value, detail });
  }

  private emitFault(f: SensorFault): void {
    // a fault must not crash the agent: without a listener EventEmitter would throw on 'error'-like use
    if (this.listenerCount('fault') > 0) this.emit('fault', f);
  }

  /** Current fault per quantity (undefined = healthy). */
  faults(): Partial<Record<Quantity, FaultKind>> {
    return Object.fromEntries(this.spec.channels.map((c, i) => [c.quantity, this.state[i].fault]).filter(([, f]) => f));
  }
}

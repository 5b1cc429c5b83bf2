// A johnny-five Board over an injected `io` (STYLE §4): Firmata on an Arduino-class board, an
// IO plugin on a Pi, or mock-firmata in tests. Owns everything the components start so that
// `close()` leaves nothing behind: the timers johnny-five creates in constructors
// (./timers.ts) and, through a guard around the io, every read callback still in flight
// (drivers such as the SHT31-D re-arm a setTimeout from each I²C reply; once the guard drops
// replies, that chain ends on its own).
import five from 'johnny-five';
import { TimerScope } from './timers.js';

/** io methods whose last argument is a data callback that re-arms driver loops. */
const READS = new Set(['analogRead', 'digitalRead', 'i2cRead', 'i2cReadOnce']);

/** Key of a read's source: analog pin `a0`, I²C address `i2c68`. */
export function sourceKey(method: string, first: unknown): string {
  return method.startsWith('i2c') ? `i2c${Number(first)}` : `a${Number(first)}`;
}

/** The io seen by johnny-five: the same object, but read callbacks stop after `close`, and
 *  each delivery is time-stamped per source (a part that stops answering is `unplugged`). */
function guard(io: five.IO, closed: () => boolean, delivered: (key: string) => void): five.IO {
  return new Proxy(io, {
    get(target, prop, recv) {
      const v = Reflect.get(target, prop, recv);
      if (typeof prop === 'string' && READS.has(prop) && typeof v === 'function') {
        return (...args: unknown[]) => {
          const k = args.length - 1;
          const cb = args[k];
          const key = sourceKey(prop, args[0]);
          if (typeof cb === 'function') args[k] = (...r: unknown[]) => { if (!closed()) { delivered(key); (cb as (...x: unknown[]) => void)(...r); } };
          return (v as (...x: unknown[]) => unknown).apply(target, args);
        };
      }
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

export interface SensorBoardOptions {
  /** Reject `open` when the io is not ready within this many ms (default 10000). */
  readyTimeoutMs?: number;
  /** Also close the io's transport (a serial port) on `close` (default true). */
  closeTransport?: boolean;
  /** Clock, ms (default Date.now). */
  now?: () => number;
  /** io errors after `ready` (a serial port that goes away); before it, `open` rejects. */
  onError?: (e: Error) => void;
}

/** A ready johnny-five board that sensors are built on.
 *  @example const b = await SensorBoard.open(io); const r = new SensorReader(b, SENSORS.tmp36); r.start(); … b.close(); */
export class SensorBoard {
  readonly timers = new TimerScope();
  readonly board: five.Board;
  readonly now: () => number;
  private closed = false;
  private readonly deliveries = new Map<string, number>();

  private constructor(readonly io: five.IO, private readonly o: SensorBoardOptions) {
    this.now = o.now ?? Date.now;
    const io2 = guard(io, () => this.closed, (k) => this.deliveries.set(k, this.now()));
    this.board = this.timers.capture(() => new five.Board({ io: io2, repl: false, debug: false, sigint: false }));
  }

  /** When the io last delivered data from `key` (sourceKey), or undefined if never. */
  lastDelivery(key: string): number | undefined { return this.deliveries.get(key); }

  /** Creates the Board and waits for `ready` (attached before the io can emit it).
   *  Rejects on a board error or when not ready within `readyTimeoutMs`. */
  static open(io: five.IO, o: SensorBoardOptions = {}): Promise<SensorBoard> {
    const sb = new SensorBoard(io, o);
    const ms = o.readyTimeoutMs ?? 10000;
    return new Promise((resolve, reject) => {
      let ready = false;
      const fail = (e: Error) => { clearTimeout(timer); sb.close(); reject(e); };
      // an io error (no such port, wrong device) must reject, not crash the process
      sb.onIoError = (e: Error) => { if (ready) o.onError?.(e); else fail(e instanceof Error ? e : new Error(String(e))); };
      io.on('error', sb.onIoError);
      const timer = setTimeout(() => fail(new Error(`board not ready within ${ms} ms`)), ms);
      sb.board.once('ready', () => { ready = true; clearTimeout(timer); resolve(sb); });
      sb.board.once('error', fail);
    });
  }

  /** Builds components inside the board's timer scope (so close() can clear what they start). */
  build<T>(fn: (j5: typeof five, board: five.Board) => T): T {
    if (this.closed) throw new Error('board is closed');
    return this.timers.capture(() => fn(five, this.board));
  }

  get isClosed(): boolean { return this.closed; }

  private onIoError?: (e: Error) => void;

  /** Stops every component timer and read callback; closes the transport. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.timers.dispose();
    if (this.onIoError) this.io.off('error', this.onIoError);
    if (this.o.closeTransport !== false) { try { this.io.transport?.close?.(); } catch { /* already closed */ } }
  }
}

// The slice of johnny-five 2.x this project uses (the package ships no types). Import it with
// its default export: `import five from 'johnny-five'` (named ESM imports fail at run time).
declare module 'johnny-five' {
  import type { EventEmitter } from 'node:events';
  namespace five {
    /** An IO plugin or Firmata instance (johnny-five's `io` contract), as far as we call it. */
    interface IO extends EventEmitter {
      name?: string;
      isReady?: boolean;
      MODES: Record<string, number>;
      pins: unknown[];
      analogPins: number[];
      pinMode(pin: number, mode: number): void;
      analogRead(pin: number, cb: (v: number) => void): void;
      i2cConfig(o?: unknown): void;
      i2cWrite(address: number, ...rest: unknown[]): void;
      i2cReadOnce(address: number, ...rest: unknown[]): void;
      reportAnalogPin?(pin: number, on: 0 | 1): void;
      transport?: { close?(cb?: () => void): void };
    }
    interface BoardOptions { io: IO; repl?: boolean; debug?: boolean; sigint?: boolean; timeout?: number; id?: string }
    class Board extends EventEmitter {
      constructor(o: BoardOptions);
      readonly io: IO;
      isReady: boolean;
    }
    interface ComponentOptions { board?: Board; pin?: number | string; controller?: string; address?: number; freq?: number; aref?: number }
    class Sensor extends EventEmitter { constructor(o: ComponentOptions); readonly value: number | null; readonly raw: number | null; disable(): void }
    class Thermometer extends EventEmitter { constructor(o: ComponentOptions); readonly celsius: number; disable(): void }
    class Hygrometer extends EventEmitter { constructor(o: ComponentOptions); readonly relativeHumidity: number }
    class Multi extends EventEmitter { constructor(o: ComponentOptions); readonly thermometer: Thermometer; readonly hygrometer: Hygrometer }
  }
  const five: {
    Board: typeof five.Board; Sensor: typeof five.Sensor; Thermometer: typeof five.Thermometer;
    Hygrometer: typeof five.Hygrometer; Multi: typeof five.Multi;
  };
  export default five;
}

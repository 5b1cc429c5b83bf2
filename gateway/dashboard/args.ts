// The `--dashboard [PORT]` and `--dashboard-host H` flags, shared by `npm start` and gateway/cli.ts.

export const DEFAULT_DASHBOARD_PORT = 8470;

/** `--dashboard` may stand alone: gives it the default port so parseArgs sees a value. */
export function dashboardArgv(argv: readonly string[]): string[] {
  const out = [...argv];
  const i = out.indexOf('--dashboard');
  if (i >= 0 && (i + 1 >= out.length || out[i + 1].startsWith('--'))) out.splice(i + 1, 0, String(DEFAULT_DASHBOARD_PORT));
  return out;
}

/** The port of `--dashboard PORT`, or undefined without the flag. Throws RangeError on a bad port. */
export function dashboardPort(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const p = Number(v);
  if (!/^\d{1,5}$/.test(v) || p > 65535) throw new RangeError('--dashboard PORT must be an integer in [0, 65535]');
  return p;
}

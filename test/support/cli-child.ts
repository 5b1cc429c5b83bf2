// A CLI (gateway, boards) run as a child process with --json output, for the multi-process tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const GATEWAY_CLI = fileURLToPath(new URL('../../gateway/cli.js', import.meta.url));
export const BOARDS_CLI = fileURLToPath(new URL('../../boards/cli.js', import.meta.url));

/** A running CLI: its JSON events, stderr lines and exit code. */
export interface Child { p: ChildProcess; events: Record<string, any>[]; exited: Promise<number | null>; stderr: string[] }

/** Spawns a CLI with --json output; `onEvent` sees each JSON line. */
export function startCli(script: string, args: string[], onEvent: (e: Record<string, any>) => void = () => {}): Child {
  const p = spawn(process.execPath, [script, ...args, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const c: Child = { p, events: [], stderr: [], exited: new Promise((res) => p.once('exit', (code) => res(code))) };
  createInterface({ input: p.stdout! }).on('line', (l) => { try { const e = JSON.parse(l); c.events.push(e); onEvent(e); } catch { /* not ours */ } });
  createInterface({ input: p.stderr! }).on('line', (l) => c.stderr.push(l));
  return c;
}

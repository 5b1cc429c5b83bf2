// Starts a real Mosquitto broker (Debian package `mosquitto`) from a temporary config on a
// free loopback port. Missing mosquitto: undefined (callers skip loudly), or a failure under CI=true.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { createServer, connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Mosquitto {
  url: string;
  stop(): Promise<void>;
  /** Kills the broker (SIGKILL: no clean shutdown, retained messages and sessions are lost). */
  kill(): Promise<void>;
  /** Starts it again on the same port. */
  restart(): Promise<void>;
}

function mosquittoBinary(): string | undefined {
  for (const p of ['/usr/sbin/mosquitto', '/usr/bin/mosquitto', 'mosquitto']) {
    if (spawnSync(p, ['-h'], { stdio: 'ignore' }).error === undefined) return p;
  }
  return undefined;
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function waitForPort(port: number, child: ChildProcess, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`mosquitto exited with code ${child.exitCode}`);
    const ok = await new Promise<boolean>((res) => {
      const c = connect(port, '127.0.0.1', () => { c.destroy(); res(true); });
      c.on('error', () => res(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('mosquitto did not start listening');
}

/** Starts mosquitto, or returns undefined when it is not installed and CI is not set.
 *  `configure` writes a custom configuration (its files in `dir`) for the port; `tls` makes the url mqtts://. */
export async function startMosquitto(o: { configure?: (port: number, dir: string) => string; tls?: boolean } = {}): Promise<Mosquitto | undefined> {
  const bin = mosquittoBinary();
  if (!bin) {
    if (process.env.CI === 'true') throw new Error('mosquitto is required under CI=true (apt-get install -y mosquitto)');
    console.warn('\n*** mosquitto not installed: SKIPPING the real-broker test (apt-get install -y mosquitto) ***\n');
    return undefined;
  }
  const dir = mkdtempSync(join(tmpdir(), 'mosq-'));
  const port = await freePort();
  const conf = join(dir, 'mosquitto.conf');
  if (o.configure) writeFileSync(conf, o.configure(port, dir));
  else writeFileSync(conf, [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'persistence false',
    'max_packet_size 1048576', 'log_dest stderr', 'log_type error', 'log_type warning', ''].join('\n'));
  let child: ChildProcess;
  const launch = async () => {
    child = spawn(bin, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (d) => (stderr += d));
    try {
      await waitForPort(port, child, 10_000);
    } catch (e) {
      child.kill('SIGKILL');
      throw new Error(`${(e as Error).message}: ${stderr}`);
    }
  };
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill(signal);
      await exited;
    }
  };
  await launch();
  return {
    url: `${o.tls ? 'mqtts' : 'mqtt'}://127.0.0.1:${port}`,
    stop: async () => { await end('SIGTERM'); rmSync(dir, { recursive: true, force: true }); },
    kill: () => end('SIGKILL'),
    restart: launch,
  };
}

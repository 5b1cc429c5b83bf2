// Builds the WAMR board host (boards/hosts/wamr, CMake) once per checkout for the tests that run
// the firmware under WAMR. Needs cmake, a C compiler and WAMR's sources: WAMR_ROOT, or the
// vendored copy at ../shared/vendor/wasm-micro-runtime from the repository root. When one is
// missing the caller skips LOUDLY, except under CI=true, where it is a failure. Builds are
// incremental (an up-to-date tree costs one `cmake --build` no-op) and serialised by a lock
// directory, so parallel test files share one build.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (this file is build/test/support/wamr.js). */
export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Paths of the built host programs. `board` is absent without libmosquitto. */
export interface WamrHost { dir: string; tool: string; board?: string; wamrRoot: string }

/** WAMR_ROOT, else the vendored copy next to the repository; undefined if neither exists. */
export function wamrRoot(): string | undefined {
  const p = process.env.WAMR_ROOT ? resolve(process.env.WAMR_ROOT) : resolve(REPO, '..', 'shared', 'vendor', 'wasm-micro-runtime');
  return existsSync(join(p, 'build-scripts', 'runtime_lib.cmake')) ? p : undefined;
}

const has = (cmd: string, args: string[]) => spawnSync(cmd, args, { stdio: 'ignore' }).error === undefined;

/** Throws under CI=true; otherwise prints a loud warning and returns undefined. */
export function missing(what: string, fix: string): undefined {
  if (process.env.CI === 'true') throw new Error(`${what}: required under CI=true (${fix})`);
  console.warn(`\n*** ${what}: SKIPPING the WAMR host test (${fix}) ***\n`);
  return undefined;
}

function lock(dir: string): () => void {
  const l = `${dir}.lock`;
  mkdirSync(dirname(l), { recursive: true });
  const deadline = Date.now() + 300_000;
  for (;;) {
    try { mkdirSync(l); return () => rmdirSync(l); } catch {
      // a lock older than 5 minutes belongs to a dead build
      try { if (Date.now() - statSync(l).mtimeMs > 300_000) rmdirSync(l); } catch { /* gone */ }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${l}`);
      spawnSync('sleep', ['0.2']);
    }
  }
}

/** Configures (once) and builds the host into build/wamr-host[32]. `m32`: the 32-bit fw-tool for
 *  the memory report (needs gcc-multilib). Returns undefined when a tool is missing (see above). */
export function buildWamrHost(o: { m32?: boolean } = {}): WamrHost | undefined {
  const root = wamrRoot();
  if (!root) return missing('WAMR sources not found', 'set WAMR_ROOT to a wasm-micro-runtime checkout, or provide ../shared/vendor/wasm-micro-runtime');
  if (!has('cmake', ['--version'])) return missing('cmake not installed', 'apt-get install -y cmake');
  if (!has('cc', ['--version'])) return missing('no C compiler', 'apt-get install -y build-essential');
  const dir = join(REPO, 'build', o.m32 ? 'wamr-host32' : 'wamr-host');
  const unlock = lock(dir);
  try {
    if (!existsSync(join(dir, 'CMakeCache.txt'))) {
      const args = ['-S', join(REPO, 'boards', 'hosts', 'wamr'), '-B', dir, `-DWAMR_ROOT=${root}`, '-DCMAKE_BUILD_TYPE=Release'];
      if (o.m32) args.push('-DEDGECHAIN_M32=ON');
      const c = spawnSync('cmake', args, { encoding: 'utf8' });
      if (c.status !== 0) {
        spawnSync('rm', ['-rf', dir]);
        if (o.m32 && /m32|crt|stubs-32|cannot find/i.test(c.stdout + c.stderr)) return missing('no 32-bit C toolchain', 'apt-get install -y gcc-multilib');
        throw new Error(`cmake configure failed:\n${c.stdout}\n${c.stderr}`);
      }
    }
    const b = spawnSync('cmake', ['--build', dir, '-j2'], { encoding: 'utf8' });
    if (b.status !== 0) {
      if (o.m32 && /m32|crt|stubs-32|cannot find|bits\/.*\.h/i.test(b.stdout + b.stderr)) return missing('no 32-bit C toolchain', 'apt-get install -y gcc-multilib');
      throw new Error(`cmake build failed:\n${b.stdout}\n${b.stderr}`);
    }
  } finally {
    unlock();
  }
  const board = join(dir, 'edgechain-board');
  return { dir, tool: join(dir, 'fw-tool'), board: existsSync(board) ? board : undefined, wamrRoot: root };
}

/** Runs fw-tool with `args`; returns its exit status and parsed JSON stdout (the last line). */
export function fwTool(host: WamrHost, args: string[], timeoutMs = 120_000): { status: number | null; out: any; stderr: string } {
  const r = spawnSync(host.tool, args, { cwd: REPO, encoding: 'utf8', timeout: timeoutMs });
  const lines = (r.stdout ?? '').trim().split('\n').filter(Boolean);
  let out: any;
  try { out = lines.length ? JSON.parse(lines[lines.length - 1]) : undefined; } catch { out = undefined; }
  return { status: r.status, out, stderr: r.stderr ?? '' };
}

// `npm run bench [-- --json] [-- --only kernel,crypto]`: runs every benchmark suite in one
// process and prints a table per suite, or one JSON document with all metrics (keys carry units).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

/** One benchmark suite: `run` returns table rows for people and metrics for machines. */
export interface BenchSuite {
  name: string;
  run(log: (line: string) => void): Promise<{ rows: [string, string, string][]; json: Record<string, number | string> }>;
}

const SUITES = ['kernel', 'crypto', 'ledger', 'state', 'admit', 'consensus', 'wamr', 'hostile', 'fleet'];

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const onlyIdx = args.indexOf('--only');
  const only = onlyIdx >= 0 ? args[onlyIdx + 1].split(',') : SUITES;
  const here = dirname(fileURLToPath(import.meta.url));
  const all: Record<string, number | string> = {};
  // progress goes to stderr so `--json` stdout stays one document
  const log = (line: string) => process.stderr.write(line + '\n');
  for (const name of only) {
    const file = join(here, `${name}.js`);
    if (!existsSync(file)) continue;
    const suite: BenchSuite = (await import(file)).default;
    log(`# ${suite.name}`);
    const { rows, json: metrics } = await suite.run(log);
    Object.assign(all, metrics);
    if (!json) {
      const w = [0, 0, 0];
      for (const r of rows) r.forEach((c, i) => (w[i] = Math.max(w[i], c.length)));
      console.log(`\n${suite.name}`);
      for (const r of rows) console.log(`  ${r[0].padEnd(w[0])}  ${r[1].padStart(w[1])}  ${r[2]}`);
    }
  }
  if (json) console.log(JSON.stringify(all));
}

main().catch((e) => { console.error(e); process.exit(1); });

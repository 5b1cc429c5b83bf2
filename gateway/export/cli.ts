#!/usr/bin/env node
// `npm run export -- tflite <ledger dir> [--round R] [--task T] [--out F]` writes a finalized
// round's global model as a .tflite; `npm run import -- tflite <file.tflite> [--out F]
// [--arch logreg|linreg] [--rounding single|double]` turns a .tflite into a model blob.
// Exit code 0 on success, 1 on an error, 2 on a usage error.
import { parseArgs } from 'node:util';
import { readFileSync, writeFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { decodeModel } from '../../protocol/model-blob.js';
import { blobToTflite } from '../../protocol/tflite/write.js';
import { tfliteToBlob, MAX_TFLITE_BYTES } from '../../protocol/tflite/read.js';

const USAGE = `usage: npm run export -- tflite <ledger dir> [--round R] [--task T] [--out model.tflite]
       npm run import -- tflite <model.tflite> [--out model.blob] [--arch logreg|linreg] [--rounding single|double]`;

/** Which TFLite kernels reproduce the firmware's outputs bit for bit (docs/model-format.md "Rounding"). */
export function roundingNote(rounding: string, outputs: number): string {
  const kernels = rounding === 'single'
    ? 'TFLite builtin FULLY_CONNECTED (ruy, single rounding; tfjs-tflite, Android, desktop), TFLite Micro built with TFLITE_SINGLE_ROUNDING'
    : 'TFLite reference kernels, TFLite Micro and CMSIS-NN defaults (double rounding); TFLite\'s builtin kernels round once and may differ by 1 LSB on ties';
  const xnn = outputs === 1 ? '; a 1-output layer looks per-tensor to TFLite and may be delegated to XNNPACK (float requantization, not bit-exact by construction)' : '';
  return `rounding ${rounding}: bit-exact with ${kernels}${xnn}`;
}

async function main(argv: string[]): Promise<number> {
  const [cmd, format, path, ...rest] = argv;
  if (!['export', 'import'].includes(cmd) || format !== 'tflite' || !path) { process.stderr.write(USAGE + '\n'); return 2; }
  let values: Record<string, string | undefined>;
  try {
    values = parseArgs({ args: rest, options: { round: { type: 'string' }, task: { type: 'string' }, out: { type: 'string' }, arch: { type: 'string' }, rounding: { type: 'string' } } }).values as Record<string, string | undefined>;
  } catch (e) { process.stderr.write(`${(e as Error).message}\n${USAGE}\n`); return 2; }
  if (cmd === 'export') {
    const round = values.round === undefined ? undefined : Number(values.round);
    if (round !== undefined && !(Number.isInteger(round) && round >= 1)) { process.stderr.write('--round must be a positive integer\n'); return 2; }
    const { ledgerModel } = await import('./ledger-model.js'); // LevelDB only when a ledger is read
    const m = await ledgerModel(path, { round, task: values.task });
    const file = blobToTflite(m.blob);
    const out = values.out ?? `${m.task}-round${m.round}.tflite`;
    writeFileSync(out, file);
    const h = decodeModel(m.blob).header;
    process.stdout.write(`${out}: ${file.length} bytes, task ${m.task} round ${m.round} (block ${m.height}), model ${m.hash.slice(0, 16)}…, ` +
      `${h.arch} ${h.inputs}→${h.hidden ? h.hidden + '→' : ''}${h.outputs}\n${roundingNote(h.rounding ?? 'double', h.outputs)}\n`);
    return 0;
  }
  if (values.arch !== undefined && !['logreg', 'linreg'].includes(values.arch)) { process.stderr.write('--arch must be logreg or linreg\n'); return 2; }
  if (values.rounding !== undefined && !['single', 'double'].includes(values.rounding)) { process.stderr.write('--rounding must be single or double\n'); return 2; }
  if (statSync(path).size > MAX_TFLITE_BYTES) { process.stderr.write(`${path}: larger than ${MAX_TFLITE_BYTES} bytes\n`); return 1; }
  const bytes = new Uint8Array(readFileSync(path));
  const r = tfliteToBlob(bytes, { arch: values.arch as 'logreg' | 'linreg' | undefined, rounding: values.rounding as 'single' | 'double' | undefined });
  const out = values.out ?? basename(path).replace(/\.tflite$/i, '') + '.blob';
  writeFileSync(out, r.blob);
  const h = r.header;
  process.stdout.write(`${out}: ${r.blob.length} bytes, ${h.arch} ${h.inputs}→${h.hidden ? h.hidden + '→' : ''}${h.outputs}, rounding ${h.rounding}` +
    `${r.dropped.length ? `, dropped ${r.dropped.join(', ')}` : ''}${r.fromToolkit ? ', master fractions restored from metadata' : ''}\n`);
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).then((c) => { process.exitCode = c; }, (e) => { process.stderr.write(`${e?.name ?? 'Error'}: ${e?.message ?? e}\n`); process.exitCode = 1; });
}

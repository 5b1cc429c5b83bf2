// The host's mirror of the firmware's error codes (protocol/firmware-error.ts) stays in step
// with the firmware's own table (firmware/errors.ts) and the C host's (boards/hosts/wamr/fw.h):
// same codes, same names, in all three.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as FE from '../protocol/firmware-error.js';
import { FIRMWARE_ERRORS, FirmwareError } from '../protocol/firmware-error.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** name → code of every `export const E_X: i32 = -N;` in firmware/errors.ts. */
function firmwareTable(): Map<string, number> {
  const src = readFileSync(join(root, 'firmware', 'errors.ts'), 'utf8');
  return new Map([...src.matchAll(/export const (E_[A-Z_]+): i32 = (-\d+);/g)].map((m) => [m[1], Number(m[2])]));
}

test('FIRMWARE_ERRORS lists every firmware error code with its name', () => {
  const fw = firmwareTable();
  assert.ok(fw.size >= 12, `parsed only ${fw.size} codes from firmware/errors.ts`);
  const host = new Map(Object.entries(FIRMWARE_ERRORS).map(([code, [name]]) => [name, Number(code)]));
  assert.deepEqual([...host].sort(), [...fw].sort());
  // the exported constants agree too
  for (const [name, code] of fw) assert.equal((FE as Record<string, unknown>)[name], code, name);
});

test("the C host's FW_E_* codes are the firmware's", () => {
  const h = readFileSync(join(root, 'boards', 'hosts', 'wamr', 'fw.h'), 'utf8');
  const c = new Map([...h.matchAll(/#define FW_(E_[A-Z_]+) \((-\d+)\)/g)].map((m) => [m[1], Number(m[2])]));
  assert.deepEqual([...c].sort(), [...firmwareTable()].sort());
});

test('FirmwareError names the constant and its meaning', () => {
  const e = new FirmwareError(-12, 'verifyGlobal');
  assert.equal(e.constant, 'E_BAD_MSG');
  assert.match(e.message, /^verifyGlobal: a signed message is malformed .*\(E_BAD_MSG, code -12\)$/);
  assert.equal(new FirmwareError(-99, 'x').constant, 'E_UNKNOWN');
});

// Reads a scenario file (JSON or YAML, by extension) and validates it (schema.ts).
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { validateScenario, ScenarioError, type Scenario } from './schema.js';

/** Largest scenario file accepted (scenarios are small hand-written files). */
export const MAX_SCENARIO_BYTES = 1 << 20;

/** Parses scenario text; `format` is 'json' or 'yaml'. Throws ScenarioError. */
export function parseScenario(text: string, format: 'json' | 'yaml'): Scenario {
  if (text.length > MAX_SCENARIO_BYTES) throw new ScenarioError('(file)', `larger than ${MAX_SCENARIO_BYTES} bytes`);
  let raw: unknown;
  try {
    raw = format === 'json' ? JSON.parse(text) : parseYaml(text, { maxAliasCount: 100 });
  } catch (e) {
    throw new ScenarioError('(file)', `not valid ${format.toUpperCase()}: ${(e as Error).message}`);
  }
  return validateScenario(raw);
}

/** Loads and validates a .json, .yaml or .yml scenario. Throws ScenarioError or a file error.
 *  @example const s = loadScenario('sim/scenarios/quick.yaml'); */
export function loadScenario(path: string): Scenario {
  const ext = extname(path).toLowerCase();
  const format = ext === '.json' ? 'json' : ext === '.yaml' || ext === '.yml' ? 'yaml' : undefined;
  if (!format) throw new ScenarioError('(file)', `${path}: expected a .json, .yaml or .yml file`);
  return parseScenario(readFileSync(path, 'utf8'), format);
}

// The deployment file (`genesis.json`) every process of a cluster on separate boxes starts
// from: the ledger genesis (all gateways' public keys, the task, the engine), the registered
// devices with their home gateways, the initial model's spec and hash, and block 1 (the
// devices' registration, approved by every gateway) so all ledgers begin identically.
// No secrets: keys live in per-process seed files (`readSeed`). JSON, bytes as hex. It lives in
// the protocol layer because board processes read it too.
import { readFileSync } from 'node:fs';
import { toHex } from './bytes.js';
import { ENGINE_NAMES as ENGINES, type EngineName, type TaskSettings } from './task.js';
import type { GenesisConfig } from './genesis.js';


export const DEPLOYMENT_FORMAT = 'edgechain-fl/cluster-deployment/1';
const MAX_DEPLOYMENT_BYTES = 64 << 20;

/** A deployment, decoded. */
export interface Deployment {
  genesis: GenesisConfig;
  /** The genesis block's hash, the chain every announcement must name. */
  chain: Uint8Array;
  task: string;
  engine: EngineName;
  settings: TaskSettings;
  /** Initial global model: logistic regression from the firmware's deterministic init. */
  model: { arch: 'logreg'; inputs: number; outputs: number; seed: number; hash: string };
  /** How the emulated boards' shards are drawn (sim/partition.ts): seed, Dirichlet α. */
  data: { seed: number; alpha: number };
  devices: { id: string; publicKey: Uint8Array; home: string; samples: number }[];
  /** Block 1 (canonical block bytes; the ledger decodes and re-checks it on import). */
  registration: Uint8Array;
}

/** Errors of a deployment or seed file: which field, and why. */
export class DeploymentError extends Error {
  constructor(readonly field: string, detail: string) { super(`deployment: ${field}: ${detail}`); this.name = 'DeploymentError'; }
}

const hexRe = /^[0-9a-f]*$/;
function hex(v: unknown, field: string, len?: number): Uint8Array {
  if (typeof v !== 'string' || v.length % 2 || !hexRe.test(v) || (len !== undefined && v.length !== 2 * len)) throw new DeploymentError(field, `expected ${len ?? 'even-length'} hex bytes`);
  return new Uint8Array(Buffer.from(v, 'hex'));
}
function uint(v: unknown, field: string): number {
  if (!Number.isSafeInteger(v) || (v as number) < 0) throw new DeploymentError(field, 'expected an unsigned integer');
  return v as number;
}
function str(v: unknown, field: string): string {
  if (typeof v !== 'string' || !v.length || v.length > 256) throw new DeploymentError(field, 'expected a non-empty string');
  return v;
}

/** JSON text of a deployment. */
export function encodeDeployment(d: Deployment): string {
  return JSON.stringify({
    format: DEPLOYMENT_FORMAT,
    genesis: { ...d.genesis, managers: d.genesis.managers.map((m) => ({ id: m.id, publicKey: toHex(m.publicKey) })) },
    chain: toHex(d.chain), task: d.task, engine: d.engine, settings: d.settings, model: d.model, data: d.data,
    devices: d.devices.map((x) => ({ ...x, publicKey: toHex(x.publicKey) })),
    registration: toHex(d.registration),
  }, null, 1) + '\n';
}

/** The task settings, with the defence's keys checked (the rest are engine tuning, read as given). */
function settingsOf(s: any, engine: string): TaskSettings {
  if (s === undefined) return {};
  if (typeof s !== 'object' || s === null || Array.isArray(s)) throw new DeploymentError('settings', 'expected an object');
  if (s.rootTrust !== undefined && typeof s.rootTrust !== 'boolean') throw new DeploymentError('settings.rootTrust', 'expected a boolean');
  if (s.rootTrust && engine !== 'fedavg') throw new DeploymentError('settings.rootTrust', 'the root-trust defence runs on a fedavg task');
  if (s.rootData !== undefined && !(Number.isInteger(s.rootData) && s.rootData >= 1 && s.rootData <= 1000)) throw new DeploymentError('settings.rootData', 'expected digits per class, an integer in 1..1000');
  return s;
}

/** Parses and checks a deployment's JSON text. Throws DeploymentError (or the block decoder's error). */
export function decodeDeployment(text: string): Deployment {
  if (text.length > MAX_DEPLOYMENT_BYTES) throw new DeploymentError('file', 'too large');
  let j: any;
  try { j = JSON.parse(text); } catch (e) { throw new DeploymentError('file', `not JSON (${(e as Error).message})`); }
  if (j?.format !== DEPLOYMENT_FORMAT) throw new DeploymentError('format', `expected ${DEPLOYMENT_FORMAT}`);
  const g = j.genesis;
  if (!g || !Array.isArray(g.managers) || g.managers.length < 1 || typeof g.params !== 'object') throw new DeploymentError('genesis', 'expected chainId, managers, params, timestamp');
  const genesis: GenesisConfig = {
    chainId: str(g.chainId, 'genesis.chainId'), timestamp: uint(g.timestamp, 'genesis.timestamp'), params: g.params,
    managers: g.managers.map((m: any, i: number) => ({ id: str(m?.id, `genesis.managers[${i}].id`), publicKey: hex(m?.publicKey, `genesis.managers[${i}].publicKey`, 32) })),
    ...(g.balances ? { balances: g.balances } : {}),
  };
  if (!ENGINES.includes(j.engine)) throw new DeploymentError('engine', `expected one of ${ENGINES.join(', ')}`);
  const gwIds = new Set(genesis.managers.map((m) => m.id));
  if (!Array.isArray(j.devices)) throw new DeploymentError('devices', 'expected an array');
  const devices = j.devices.map((x: any, i: number) => {
    const home = str(x?.home, `devices[${i}].home`);
    if (!gwIds.has(home)) throw new DeploymentError(`devices[${i}].home`, `${home} is not a genesis gateway`);
    return { id: str(x?.id, `devices[${i}].id`), publicKey: hex(x?.publicKey, `devices[${i}].publicKey`, 32), home, samples: uint(x?.samples, `devices[${i}].samples`) };
  });
  const m = j.model;
  if (m?.arch !== 'logreg') throw new DeploymentError('model.arch', 'expected logreg');
  return {
    genesis, chain: hex(j.chain, 'chain', 32), task: str(j.task, 'task'), engine: j.engine, settings: settingsOf(j.settings, j.engine),
    model: { arch: 'logreg', inputs: uint(m.inputs, 'model.inputs'), outputs: uint(m.outputs, 'model.outputs'), seed: uint(m.seed, 'model.seed'), hash: toHex(hex(m.hash, 'model.hash', 32)) },
    data: { seed: uint(j.data?.seed, 'data.seed'), alpha: Number(j.data?.alpha) },
    devices, registration: hex(j.registration, 'registration'),
  };
}

/** Reads a deployment file. */
export function readDeployment(path: string): Deployment { return decodeDeployment(readFileSync(path, 'utf8')); }

/** A 32-byte Ed25519 seed from 64 hex characters (surrounding whitespace ignored). */
export function parseSeed(text: string, field = 'seed'): Uint8Array { return hex(text.trim().toLowerCase(), field, 32); }

/** The key seeds of a board process's devices: `{ "<device id>": "<64 hex>" }`. */
export function parseDeviceSeeds(text: string): Map<string, Uint8Array> {
  let j: unknown;
  try { j = JSON.parse(text); } catch (e) { throw new DeploymentError('device seeds', `not JSON (${(e as Error).message})`); }
  if (!j || typeof j !== 'object' || Array.isArray(j)) throw new DeploymentError('device seeds', 'expected an object id → hex seed');
  return new Map(Object.entries(j).map(([id, s]) => [id, parseSeed(String(s), `device seeds.${id}`)]));
}

// The scenario format of the `sim` command (docs/simulator.md): one experiment's dataset,
// fleet, consensus, aggregation, DP, attackers and rounds, plus optional variants and sweeps
// that expand it into several runs. `validateScenario` is the only way in: it fills defaults
// and rejects anything unknown or out of range with a ScenarioError naming the field.
import { BOARDS } from '../../boards/profiles.js';
import { AGGREGATORS, type AggregatorName } from '../../gateway/aggregate/index.js';
import { ATTACK_TYPES, type AttackType } from '../attacks/index.js';

export type Partition =
  | { kind: 'iid' }
  | { kind: 'dirichlet'; alpha: number }
  | { kind: 'shards'; perDevice: number }
  /** Overlapping windows of `perDevice` rows over a shuffled (or label-sorted) order: lets
   *  more boards than the 8,000 training digits allow for disjoint shards share one buffer. */
  | { kind: 'windows'; perDevice: number; sorted: boolean };

export interface AttackerSpec {
  type: AttackType;
  /** Fraction of devices (rounded down) that run this attack. */
  fraction: number;
  /** In a committee, score fellow attackers' updates high (002 colluding committee). */
  collude: boolean;
  /** Attack-specific knobs (see sim/attacks/<type>.ts). */
  params: Record<string, number>;
}

export interface Scenario {
  name: string;
  description: string;
  seed: number;
  rounds: number;
  /** 'federated' runs the fleet; 'centralized' trains one model on all training data
   *  (002 stand-alone, 003 centralized), one epoch per round. */
  mode: 'federated' | 'centralized';
  dataset: { name: 'mnist'; testFraction: number; partition: Partition };
  /** rounding: the requantization of the task's model (docs/model-format.md "Rounding"). */
  model: { arch: 'logreg' | 'mlp'; hidden: number; rounding: 'double' | 'single' };
  train: {
    epochs: number; batch: number; lr: number;
    /** 004 resource split: per round, t_B for the block and t_L = τ·t_B per epoch out of a
     *  total budget T, so epochs = ⌊(T/R − t_B)/(τ·t_B)⌋ (at least 1). Overrides `epochs`. */
    budget?: { T: number; tB: number; tau: number };
  };
  devices: {
    count: number;
    board: string;
    /** Probability a device is online in a round (churn), seeded per device and round. */
    availability: number;
    /** Overrides of the board profile's link. */
    link?: { latencyMs?: number; loss?: number; bytesPerS?: number };
  };
  gateways: { count: number };
  /** Fraction of devices selected to train each round (002 "active nodes", k %). */
  selection: { activeFraction: number };
  /** The round consensus: a gateway/consensus engine ('none' = fedavgEngine with the scenario's
   *  aggregation rule; 'committee' = BFLC; 'pow' = BC-FL proof of work). docs/simulator.md §Consensus. */
  consensus: {
    engine: 'none' | 'committee' | 'pow';
    /** Committee size M as a fraction of the trainers per round K (002: 40 % in Table 1, 20 % in Fig. 4). */
    committeeFraction: number;
    /** The task's acceptance threshold on an update's median committee score (accuracy, 0–1). */
    threshold: number;
    /** Aggregation triggers with k accepted updates and takes the k best; absolute count. */
    k?: number;
    /** k as a fraction of K, used when `k` is absent (k = ⌈kFraction·K⌉). */
    kFraction: number;
    /** Election of the next committee among accepted providers (multi-factor needs declared capabilities the simulator does not model). */
    election: 'score' | 'random';
    /** Election bar (accuracy, 0–1, ≥ threshold); absent = the threshold. */
    electThreshold?: number;
    /** Rounds 1..warmup elect at random among the eligible. */
    warmup: number;
    /** FLTrust-style direction trust from the members' reference updates (members also train). */
    trust: boolean;
    /** Cosine floor for admission under trust (−1..1, default 0). */
    trustFloor: number;
    /** How the members' references vote under trust: sum (one root) or median (per member). */
    trustRoot: 'sum' | 'median';
    /** FLTrust with the gateways' root dataset (gateway/consensus/root-trust.ts, engine 'none'):
     *  digits per class of the training pool the gateway holds as its root dataset (0 = off). */
    rootData: number;
    /** With rootData: carry each device's reputation across rounds (root-trust.ts). */
    reputation: boolean;
    /** PoW difficulty in leading zero bits of SHA-256 (004 §III-C). */
    difficulty: number;
  };
  aggregation: { rule: AggregatorName; trim?: number; f?: number; m?: number; iters?: number };
  dp?: { epsilon: number; clipL1: number };
  attackers: AttackerSpec[];
  detect: { copies: boolean; noProgress: boolean };
  ledger: boolean;
  /** Named overrides (dotted path → value), each combined with every sweep point. */
  variants: { label: string; set: Record<string, unknown> }[];
  /** Cartesian sweep: dotted path → values. */
  sweep: Record<string, unknown[]>;
  /** How the report plots this scenario. */
  report?: { x?: string; metric?: 'accuracy' | 'loss'; logX?: boolean; title?: string };
}

/** A scenario field is missing, mistyped or out of range; `path` names it (e.g. attackers[0].fraction). */
export class ScenarioError extends Error {
  constructor(readonly path: string, message: string) {
    super(`scenario ${path}: ${message}`);
    this.name = 'ScenarioError';
  }
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Typed field readers that report the full path of a bad value. */
class Reader {
  constructor(private readonly o: Obj, private readonly path: string, known: string[]) {
    for (const k of Object.keys(o)) if (!known.includes(k)) throw new ScenarioError(this.at(k), `unknown field (known: ${known.join(', ')})`);
  }
  at(k: string): string { return this.path ? `${this.path}.${k}` : k; }
  num(k: string, d: number | undefined, lo: number, hi: number, int = false): number {
    const v = this.o[k] ?? d;
    if (v === undefined) throw new ScenarioError(this.at(k), 'is required');
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new ScenarioError(this.at(k), `must be a number, got ${JSON.stringify(v)}`);
    if (int && !Number.isInteger(v)) throw new ScenarioError(this.at(k), `must be an integer, got ${v}`);
    if (v < lo || v > hi) throw new ScenarioError(this.at(k), `must be in [${lo}, ${hi}], got ${v}`);
    return v;
  }
  str<T extends string>(k: string, d: T | undefined, allowed?: readonly T[]): T {
    const v = this.o[k] ?? d;
    if (typeof v !== 'string') throw new ScenarioError(this.at(k), v === undefined ? 'is required' : `must be a string, got ${JSON.stringify(v)}`);
    if (allowed && !allowed.includes(v as T)) throw new ScenarioError(this.at(k), `must be one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`);
    return v as T;
  }
  bool(k: string, d: boolean): boolean {
    const v = this.o[k] ?? d;
    if (typeof v !== 'boolean') throw new ScenarioError(this.at(k), `must be true or false, got ${JSON.stringify(v)}`);
    return v;
  }
  obj(k: string): Obj {
    const v = this.o[k] ?? {};
    if (!isObj(v)) throw new ScenarioError(this.at(k), 'must be an object');
    return v;
  }
  has(k: string): boolean { return this.o[k] !== undefined; }
}

const BIG = 1e9;

function partitionOf(o: Obj, path: string): Partition {
  const r = new Reader(o, path, ['kind', 'alpha', 'perDevice', 'sorted']);
  const kind = r.str('kind', 'dirichlet', ['iid', 'dirichlet', 'shards', 'windows'] as const);
  if (kind === 'iid') return { kind };
  if (kind === 'dirichlet') return { kind, alpha: r.num('alpha', 0.5, 1e-3, 1e3) };
  if (kind === 'shards') return { kind, perDevice: r.num('perDevice', 2, 1, 1000, true) };
  return { kind, perDevice: r.num('perDevice', 20, 1, 8000, true), sorted: r.bool('sorted', false) };
}

function attackerOf(v: unknown, path: string): AttackerSpec {
  if (!isObj(v)) throw new ScenarioError(path, 'must be an object {type, fraction}');
  const r = new Reader(v, path, ['type', 'fraction', 'collude', 'params']);
  const params = r.obj('params');
  for (const [k, x] of Object.entries(params)) {
    if (typeof x !== 'number' || !Number.isFinite(x)) throw new ScenarioError(`${path}.params.${k}`, 'must be a number');
  }
  return {
    type: r.str('type', undefined, ATTACK_TYPES), fraction: r.num('fraction', undefined, 0, 1),
    collude: r.bool('collude', false), params: params as Record<string, number>,
  };
}

/** Checks a parsed scenario (from JSON or YAML), fills defaults and returns it. Throws ScenarioError.
 *  @example const s = validateScenario({ name: 'x', devices: { count: 10 } }); */
export function validateScenario(raw: unknown): Scenario {
  if (!isObj(raw)) throw new ScenarioError('(root)', 'must be an object');
  const r = new Reader(raw, '', ['name', 'description', 'seed', 'rounds', 'mode', 'dataset', 'model', 'train', 'devices',
    'gateways', 'selection', 'consensus', 'aggregation', 'dp', 'attackers', 'detect', 'ledger', 'variants', 'sweep', 'report']);
  const name = r.str('name', undefined);
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(name)) throw new ScenarioError('name', 'must match [A-Za-z0-9._-]{1,64} (it names the output folder)');

  const ds = new Reader(r.obj('dataset'), 'dataset', ['name', 'testFraction', 'partition']);
  const md = new Reader(r.obj('model'), 'model', ['arch', 'hidden', 'rounding']);
  const tr = new Reader(r.obj('train'), 'train', ['epochs', 'batch', 'lr', 'budget']);
  const dv = new Reader(r.obj('devices'), 'devices', ['count', 'board', 'availability', 'link']);
  const gw = new Reader(r.obj('gateways'), 'gateways', ['count']);
  const se = new Reader(r.obj('selection'), 'selection', ['activeFraction']);
  const cs = new Reader(r.obj('consensus'), 'consensus', ['engine', 'committeeFraction', 'threshold', 'k', 'kFraction', 'election', 'difficulty', 'electThreshold', 'warmup', 'trust', 'trustFloor', 'trustRoot', 'rootData', 'reputation']);
  const ag = new Reader(r.obj('aggregation'), 'aggregation', ['rule', 'trim', 'f', 'm', 'iters']);
  const de = new Reader(r.obj('detect'), 'detect', ['copies', 'noProgress']);

  const arch = md.str('arch', 'logreg', ['logreg', 'mlp'] as const);
  let budget: Scenario['train']['budget'];
  if (tr.has('budget')) {
    const b = new Reader(tr.obj('budget'), 'train.budget', ['T', 'tB', 'tau']);
    budget = { T: b.num('T', 200, 1, 1e6), tB: b.num('tB', 2, 1e-3, 1e6), tau: b.num('tau', 1, 1e-3, 1e3) };
  }
  let link: Scenario['devices']['link'];
  if (dv.has('link')) {
    const l = new Reader(dv.obj('link'), 'devices.link', ['latencyMs', 'loss', 'bytesPerS']);
    link = {};
    if (l.has('latencyMs')) link.latencyMs = l.num('latencyMs', 0, 0, 60_000);
    if (l.has('loss')) link.loss = l.num('loss', 0, 0, 0.99);
    if (l.has('bytesPerS')) link.bytesPerS = l.num('bytesPerS', 1, 1, 1e12);
  }
  const board = dv.str('board', 'emulated');
  if (!BOARDS[board]) throw new ScenarioError('devices.board', `unknown board ${board}; known: ${Object.keys(BOARDS).join(', ')}`);
  const gateways = gw.num('count', 1, 1, 64, true);
  if (gateways !== 1) throw new ScenarioError('gateways.count', 'the simulator drives one gateway; multi-gateway clusters are issue 6 (gateway/cluster)');

  let dp: Scenario['dp'];
  if (r.has('dp')) {
    const d = new Reader(r.obj('dp'), 'dp', ['epsilon', 'clipL1']);
    dp = { epsilon: d.num('epsilon', undefined, 0.001, 1000), clipL1: d.num('clipL1', undefined, 1, 2 ** 31 - 1, true) };
  }
  const attackersRaw = raw.attackers ?? [];
  if (!Array.isArray(attackersRaw)) throw new ScenarioError('attackers', 'must be a list');
  const attackers = attackersRaw.map((a, i) => attackerOf(a, `attackers[${i}]`));
  if (attackers.reduce((s, a) => s + a.fraction, 0) > 1) throw new ScenarioError('attackers', 'fractions add up to more than 1');

  const variantsRaw = raw.variants ?? [];
  if (!Array.isArray(variantsRaw)) throw new ScenarioError('variants', 'must be a list of {label, set}');
  const variants = variantsRaw.map((v, i) => {
    if (!isObj(v)) throw new ScenarioError(`variants[${i}]`, 'must be an object {label, set}');
    const vr = new Reader(v, `variants[${i}]`, ['label', 'set']);
    return { label: vr.str('label', undefined), set: vr.obj('set') };
  });
  const sweepRaw = r.obj('sweep');
  for (const [k, v] of Object.entries(sweepRaw)) {
    if (!Array.isArray(v) || v.length === 0) throw new ScenarioError(`sweep.${k}`, 'must be a non-empty list of values');
  }
  let report: Scenario['report'];
  if (r.has('report')) {
    const rp = new Reader(r.obj('report'), 'report', ['x', 'metric', 'logX', 'title']);
    report = {
      x: rp.has('x') ? rp.str('x', undefined) : undefined, metric: rp.str('metric', 'accuracy', ['accuracy', 'loss'] as const),
      logX: rp.bool('logX', false), title: rp.has('title') ? rp.str('title', undefined) : undefined,
    };
  }

  const s: Scenario = {
    name, description: r.has('description') ? r.str('description', '') : '',
    seed: r.num('seed', 1, 0, 2 ** 32 - 1, true), rounds: r.num('rounds', 20, 1, 100_000, true),
    mode: r.str('mode', 'federated', ['federated', 'centralized'] as const),
    dataset: {
      name: ds.str('name', 'mnist', ['mnist'] as const), testFraction: ds.num('testFraction', 0.2, 0.01, 0.9),
      partition: partitionOf(ds.obj('partition'), 'dataset.partition'),
    },
    model: { arch, hidden: arch === 'mlp' ? md.num('hidden', 32, 1, 64, true) : 0, rounding: md.str('rounding', 'double', ['double', 'single'] as const) },
    train: { epochs: tr.num('epochs', 1, 1, 1000, true), batch: tr.num('batch', 32, 1, 65535, true), lr: tr.num('lr', arch === 'mlp' ? 0.1 : 0.5, 2 ** -16, 16), budget },
    devices: { count: dv.num('count', 10, 1, 100_000, true), board, availability: dv.num('availability', 1, 0.01, 1), link },
    gateways: { count: gateways },
    selection: { activeFraction: se.num('activeFraction', 1, 0.001, 1) },
    consensus: {
      engine: cs.str('engine', 'none', ['none', 'committee', 'pow'] as const),
      committeeFraction: cs.num('committeeFraction', 0.4, 0.01, 1),
      threshold: cs.num('threshold', 0, 0, 1), k: cs.has('k') ? cs.num('k', 1, 1, 100_000, true) : undefined,
      kFraction: cs.num('kFraction', 0.5, 0.01, 1),
      election: cs.str('election', 'score', ['score', 'random'] as const),
      electThreshold: cs.has('electThreshold') ? cs.num('electThreshold', 0, 0, 1) : undefined,
      warmup: cs.num('warmup', 0, 0, 100_000, true),
      trust: cs.bool('trust', false),
      trustFloor: cs.num('trustFloor', 0, -1, 0.999),
      trustRoot: cs.str('trustRoot', 'sum', ['sum', 'median'] as const),
      rootData: cs.num('rootData', 0, 0, 1000, true), reputation: cs.bool('reputation', false),
      difficulty: cs.num('difficulty', 12, 0, 24, true),
    },
    aggregation: {
      rule: ag.str('rule', 'fedavg', Object.keys(AGGREGATORS) as AggregatorName[]),
      trim: ag.has('trim') ? ag.num('trim', 0.1, 0, 0.49) : undefined,
      f: ag.has('f') ? ag.num('f', 0, 0, BIG, true) : undefined,
      m: ag.has('m') ? ag.num('m', 1, 1, BIG, true) : undefined,
      iters: ag.has('iters') ? ag.num('iters', 3, 1, 100, true) : undefined,
    },
    dp, attackers,
    detect: { copies: de.bool('copies', false), noProgress: de.bool('noProgress', false) },
    ledger: r.bool('ledger', true),
    variants, sweep: sweepRaw as Record<string, unknown[]>, report,
  };
  return s;
}

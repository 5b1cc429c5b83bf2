// One emulated board inside a fleet worker: its own firmware instance (kernel + signer, the
// device key derived and kept inside the firmware), a zero-copy view of its shard, and, for a
// malicious board, its Attack. Pure of I/O: the worker moves the bytes.
import { FirmwareInstance, type HostIO } from '../../boards/firmware/instance.js';
import { Kernel, type Dataset, type ModelSpec } from '../../boards/firmware/kernel.js';
import { WASM_PAGE } from '../../boards/firmware/pages.js';
import { sha256 } from '../../protocol/bytes.js';
import { DeviceSigner } from '../../boards/firmware/signer.js';
import { privatizeParams } from '../../boards/firmware/dp.js';
import { decodeModel, encodeModel, quantBytes, type ModelHeader } from '../../protocol/model-blob.js';
import { demoSeed } from '../../protocol/keys.js';
import { ATTACKS, type Attack } from '../attacks/index.js';
import type { AttackerSpec } from '../scenario/schema.js';
import { deviceId } from '../../protocol/ids.js';
import { mix, rngFor } from './seeds.js';

/** Deterministic host entropy for emulated boards (the DP noise is seeded explicitly anyway). */
const FIXED_IO: HostIO = { entropy(out) { out.fill(7); return true; } };


export interface BoardOptions {
  index: number; task: string; seed: number; variant: string; data: Dataset;
  attacker?: AttackerSpec; train: { batch: number; lr: number }; dp?: { epsilon: number; clipL1: number };
  /** Linear memory pages this board's firmware may hold (see `boardPages`); omitted: unbounded. */
  maxPages?: number;
}

/** Pages (64 KiB) a board's firmware needs for the task's model: measured by the firmware itself
 *  on an unbounded probe board that loads the model, trains one epoch on its shard, scores it and
 *  signs the update (DP included when configured). The host streams blobs, samples and the signed
 *  update in chunks sized to the room left in the pages (boards/firmware/kernel.ts, signer.ts),
 *  so for the MNIST LR model this is 1 page: the model regions end at 46,560 bytes (static data
 *  with the Ed25519 comb table, int8 and int16 master weights, scratch) and the stream takes the
 *  18,976 bytes left (with DP too: the delta is privatized in pieces).
 *  Boards are then capped at this many pages, so the memory a board holds is a bound. */
export function boardPages(o: BoardOptions, spec: ModelSpec): number {
  const probe = new Board({ ...o, attacker: undefined, maxPages: undefined });
  const blob = Kernel.initialModel(probe.fw, spec);
  const { header, params } = decodeModel(blob);
  const g: RoundModel = { round: 1, blob, hash: sha256(blob), header, params };
  const t = probe.trainHonest(g, 1);
  probe.score(blob);
  probe.sign(g, t.params, t.loss);
  return Math.ceil(probe.wasmBytes / WASM_PAGE);
}

/** Whether two blobs of equal length agree on their first `n` bytes (header and scales). */
function sameQuant(a: Uint8Array, b: Uint8Array, n: number): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The round's global model as decoded once per worker. */
export interface RoundModel { round: number; blob: Uint8Array; hash: Uint8Array; header: ModelHeader; params: Int32Array }

export class Board {
  readonly id: string;
  readonly fw: FirmwareInstance;
  readonly kernel: Kernel;
  readonly signer: DeviceSigner;
  readonly attack?: Attack;
  private readonly kid: Uint8Array;
  private readonly data: Dataset;
  private counter = 0;

  constructor(readonly o: BoardOptions) {
    this.id = deviceId(o.index);
    this.fw = new FirmwareInstance(FIXED_IO, o.variant, o.maxPages);
    this.kernel = new Kernel(this.fw);
    this.signer = new DeviceSigner(this.fw);
    this.signer.provision(demoSeed(this.id, o.seed));
    this.kid = new TextEncoder().encode(this.id);
    this.attack = o.attacker ? ATTACKS[o.attacker.type] : undefined;
    const flip = this.attack?.labels;
    this.data = flip ? { ...o.data, y: flip(o.data.y, o.data.classes, o.attacker!.params) } : o.data;
    if (o.dp) {
      const s = new Uint8Array(32);
      new DataView(s.buffer).setUint32(0, mix(o.seed, 8, o.index));
      this.signer.seedNoise(s);
    }
  }

  get samples(): number { return this.data.n; }

  /** Honest local training from the round's model in the firmware; returns the trained params and loss. */
  trainHonest(g: RoundModel, epochs: number): { params: Int32Array; loss: number } {
    this.kernel.load(g.blob);
    const r = this.kernel.train(this.data, this.trainOptions(g, epochs));
    return { params: decodeModel(this.kernel.export()).params, loss: r.loss };
  }

  /** This round's signed update from a board that trains and crafts nothing (honest, or an
   *  attack on its data only, such as label flipping). Without DP it signs the blob the firmware
   *  exported as is: the same bytes as `sign(g, produce(…).params)` (the header and scales are the
   *  round model's, checked below), without decoding the blob to params and encoding it back,
   *  which was a quarter of a board's round. Otherwise it takes the general path. */
  update(g: RoundModel, epochs: number, trainers: number, colluders: number): Uint8Array {
    const a = this.attack;
    if (!this.o.dp && (!a || (a.trains && !a.craft))) {
      this.kernel.load(g.blob);
      const r = this.kernel.train(this.data, this.trainOptions(g, epochs));
      const model = this.kernel.export();
      if (sameQuant(model, g.blob, quantBytes(g.header))) return this.signModel(g, model, { loss_u: Math.round(r.loss * 1e6) });
      const p = this.produce(g, epochs, trainers, colluders);
      return this.sign(g, p.params, p.loss);
    }
    const p = this.produce(g, epochs, trainers, colluders);
    return this.sign(g, p.params, p.loss);
  }

  private trainOptions(g: RoundModel, epochs: number) {
    return { epochs, batch: this.o.train.batch, lr: this.o.train.lr, seed: mix(this.o.seed, 1, g.round, this.o.index) };
  }

  /** The params this board signs this round (honest, or crafted by its attack). LIE boards get
   *  theirs from the collective step instead. */
  produce(g: RoundModel, epochs: number, trainers: number, colluders: number): { params: Int32Array; loss: number } {
    const a = this.attack;
    const t = !a || a.trains ? this.trainHonest(g, epochs) : { params: null, loss: 0 };
    if (!a?.craft) return { params: t.params ?? Int32Array.from(g.params), loss: t.loss };
    const params = a.craft({
      round: g.round, header: g.header, global: g.params, trained: t.params, rng: rngFor(this.o.seed, 'attack', g.round, this.o.index),
      params: this.o.attacker!.params, trainers, colluders,
    });
    return { params, loss: t.loss };
  }

  /** A collective attack's shared crafted params made this board's own (per-attacker jitter). */
  personalize(g: RoundModel, crafted: Int32Array): Int32Array {
    const p = this.attack?.personalize;
    return p ? p(crafted, { round: g.round, header: g.header, rng: rngFor(this.o.seed, 'attack', g.round, this.o.index), params: this.o.attacker!.params }) : crafted;
  }

  /** Applies firmware DP (clip + discrete Laplace on the delta, 001 Eq. 3–5) when configured,
   *  then signs the update in the firmware (COSE_Sign1, RFC 9052 §4.4). */
  sign(g: RoundModel, params: Int32Array, loss: number, n = this.data.n): Uint8Array {
    let p = params;
    const metrics: Record<string, number> = { loss_u: Math.round(loss * 1e6) };
    if (this.o.dp) {
      const r = privatizeParams(this.signer, g.params, p, this.o.dp);
      p = r.params;
      metrics.eps_m = r.epsM;
    }
    return this.signModel(g, encodeModel(g.header, p), metrics, n);
  }

  private signModel(g: RoundModel, model: Uint8Array, metrics: Record<string, number>, n = this.data.n): Uint8Array {
    return this.signer.signUpdate(this.kid, { task: this.o.task, round: g.round, base: g.hash, n, model, ctr: ++this.counter, metrics });
  }

  /** Committee validation (002): accuracy of a candidate model on this board's local data, ppm. */
  score(blob: Uint8Array): number {
    this.kernel.load(blob);
    return Math.round(this.kernel.evaluate(this.data).accuracy * 1e6);
  }

  /** Bytes of firmware linear memory held by this board. */
  get wasmBytes(): number { return this.fw.memory.buffer.byteLength; }
}

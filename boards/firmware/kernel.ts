// Host wrapper of the firmware training kernel (docs/firmware-abi.md). Streams datasets and model
// blobs into the firmware-owned buffer in chunks sized to the room left in the instance's pages,
// as a C host on a microcontroller would from flash, so a board stays within the pages its
// model needs (one 64 KiB page for the MNIST LR model).
import type { FirmwareInstance } from './instance.js';
import { ARCHES, decodeModel, encodeModel, type Arch, type Rounding } from '../../protocol/model-blob.js';
import { FirmwareError, checkFirmware } from '../../protocol/firmware-error.js';

export type { Arch } from '../../protocol/model-blob.js';

/** Architecture and size of a model to create. `hidden` only for 'mlp'. `rounding` picks the
 *  requantization the model runs with for its whole life (default 'double', TFLite reference;
 *  'single' matches TFLite's builtin kernels, docs/model-format.md "Rounding"). */
export interface ModelSpec { arch: Arch; inputs: number; hidden?: number; outputs: number; seed: number; rounding?: Rounding }

/** Labelled data, uint8 features row-major (n × dim). For 'linreg', targets are `t`
 *  (n × outputs, Q16.16 fixed point: real = t / 65536); without `t`, a 1-output linreg model
 *  regresses the label value y[i]. */
export interface Dataset { n: number; dim: number; x: Uint8Array; y: Uint8Array; classes: number; t?: Int32Array }

/** SGD settings. `lr` is the real learning rate applied to the batch-mean gradient
 *  (w ← w − lr·mean ∇), for inputs scaled to [0, 1]; sent to the firmware as round(lr·65536),
 *  legal range [2^-16, 16]. `seed` drives the shuffling and the stochastic rounding. */
export interface TrainOptions { epochs: number; batch: number; lr: number; seed: number }

const check = checkFirmware;

/** Deterministic shuffling on the host side (xorshift32 Fisher–Yates, same as the firmware's generator). */
export function permutation(n: number, seed: number): Uint32Array {
  const p = new Uint32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  let s = ((seed ^ 0x9e3779b9) >>> 0) || 1;
  for (let i = n - 1; i > 0; i--) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    const j = s % (i + 1);
    const t = p[i]; p[i] = p[j]; p[j] = t;
  }
  return p;
}

/** Most samples staged per kernel_train / kernel_eval call. */
const CHUNK_SAMPLES = 64;
/** Smallest stream chunk a host asks for when the current pages have less room (memory grows). */
const MIN_CHUNK = 1024;

/** The training kernel of one firmware instance.
 *  @example const k = new Kernel(fw); k.load(Kernel.initialModel(fw, spec)); k.train(d, opts); */
export class Kernel {
  private readonly x: Record<string, any>;
  constructor(private readonly fw: FirmwareInstance) {
    this.x = fw.exports;
    if (typeof this.x.kernel_init !== 'function') throw new FirmwareError(-5, 'firmware has no training kernel');
  }

  /** Deterministic initial model blob for `spec` (loads it into `fw` as a side effect). Throws FirmwareError. */
  static initialModel(fw: FirmwareInstance, spec: ModelSpec): Uint8Array {
    const a = ARCHES.indexOf(spec.arch);
    const k = new Kernel(fw);
    // `hidden` is ignored for single-layer architectures
    check(k.x.kernel_init(a, spec.inputs, spec.arch === 'mlp' ? spec.hidden ?? 32 : 0, spec.outputs, spec.seed >>> 0), 'initialModel');
    const blob = k.export();
    if ((spec.rounding ?? 'double') === 'double') return blob;
    // kernel_init always writes 'double'; the header byte is the only difference
    const { header, params } = decodeModel(blob);
    const single = encodeModel({ ...header, rounding: spec.rounding }, params);
    k.load(single);
    return single;
  }

  /** Bytes of stream a chunk may take: the room left in the pages the instance already holds
   *  (kernel_stream_room), so streaming never grows memory unless not even MIN_CHUNK fits. */
  streamRoom(): number {
    return Math.max(check(this.x.kernel_stream_room(), 'stream'), MIN_CHUNK);
  }

  /** Loads a model blob, streamed in chunks that fit the stream's room (kernel_load_begin /
   *  _chunk / _end), so the blob never sits in firmware memory whole. Throws FirmwareError on a
   *  bad header, version, length or parameter, E_TOO_LARGE if the model does not fit. */
  load(blob: Uint8Array): void {
    const head = Math.min(blob.length, 24);
    const p = check(this.x.kernel_stream_reserve(head), 'load');
    this.fw.bytes(p, head).set(blob.subarray(0, head));
    check(this.x.kernel_load_begin(blob.length), 'load');
    const room = this.streamRoom();
    for (let off = head; off < blob.length;) {
      const n = Math.min(room, blob.length - off);
      const q = check(this.x.kernel_stream_reserve(n), 'load');
      this.fw.bytes(q, n).set(blob.subarray(off, off + n));
      check(this.x.kernel_load_chunk(n), 'load');
      off += n;
    }
    check(this.x.kernel_load_end(), 'load');
  }

  /** The current model blob (a copy), read in chunks that fit the stream's room (kernel_export_part). */
  export(): Uint8Array {
    const len = check(this.x.kernel_shape(5), 'export');
    const out = new Uint8Array(len), room = this.streamRoom();
    for (let off = 0; off < len;) {
      const n = check(this.x.kernel_export_part(off, Math.min(room, len - off)), 'export');
      out.set(this.fw.bytes(this.x.kernel_stream_ptr(), n), off);
      off += n;
    }
    return out;
  }

  /** Samples per kernel_train / kernel_eval call: as many as the stream's room holds (≤ 64, ≥ 1).
   *  Results do not depend on it (the mini-batch carries over between chunks). */
  private chunkSamples(dim: number, linreg: boolean, outputs: number): number {
    const per = dim + (linreg ? 4 * outputs : 1);
    return Math.max(1, Math.min(CHUNK_SAMPLES, Math.floor((this.streamRoom() - 3) / per)));
  }

  private shape() {
    return { arch: ARCHES[check(this.x.kernel_shape(0), 'shape')], inputs: this.x.kernel_shape(1) as number, outputs: this.x.kernel_shape(2) as number };
  }

  /** Copies samples order[from..from+n) into the stream in the kernel_train layout. */
  private stage(d: Dataset, order: ArrayLike<number> | null, from: number, n: number, linreg: boolean, outputs: number): void {
    const dim = d.dim, xBytes = (n * dim + 3) & ~3;
    const need = xBytes + (linreg ? 4 * n * outputs : n);
    const p = check(this.x.kernel_stream_reserve(need), 'stream');
    const mem = this.fw.bytes(p, need);
    const t32 = linreg ? new Int32Array(this.fw.memory.buffer, p + xBytes, n * outputs) : null;
    for (let s = 0; s < n; s++) {
      const r = order ? order[from + s] : from + s;
      mem.set(d.x.subarray(r * dim, (r + 1) * dim), s * dim);
      if (t32) {
        for (let o = 0; o < outputs; o++) t32[s * outputs + o] = d.t ? d.t[r * outputs + o] : d.y[r] * 65536;
      } else mem[xBytes + s] = d.y[r];
    }
  }

  private checkData(d: Dataset): { linreg: boolean; outputs: number } {
    const s = this.shape();
    if (d.dim !== s.inputs || d.x.length < d.n * d.dim || d.y.length < d.n) throw new FirmwareError(-1, `dataset ${d.n}×${d.dim} does not fit a ${s.inputs}-input model`);
    const linreg = s.arch === 'linreg';
    if (linreg && (d.t ? d.t.length < d.n * s.outputs : s.outputs !== 1)) throw new FirmwareError(-1, 'linreg targets need t (n × outputs, Q16)');
    return { linreg, outputs: s.outputs };
  }

  /** Trains in place. Returns samples seen and the mean loss of the last epoch. Throws FirmwareError. */
  train(d: Dataset, o: TrainOptions): { samples: number; loss: number } {
    const { linreg, outputs } = this.checkData(d);
    if (!(Number.isInteger(o.epochs) && o.epochs >= 0 && o.epochs <= 10000)) throw new FirmwareError(-2, `epochs ${o.epochs} out of range`);
    const lrQ16 = Math.round(o.lr * 65536);
    let samples = 0, loss = 0;
    for (let e = 0; e < o.epochs; e++) {
      const seed = (Math.imul(o.seed >>> 0, 0x9e3779b1) + e) >>> 0;
      check(this.x.kernel_train_begin(o.batch, Number.isFinite(lrQ16) ? lrQ16 : -1, seed), 'train');
      const order = permutation(d.n, seed);
      const chunk = this.chunkSamples(d.dim, linreg, outputs);
      for (let s = 0; s < d.n; s += chunk) {
        const n = Math.min(chunk, d.n - s);
        this.stage(d, order, s, n, linreg, outputs);
        check(this.x.kernel_train(n), 'train');
      }
      check(this.x.kernel_train_end(), 'train');
      samples += d.n;
      loss = this.x.kernel_metric(2);
    }
    return { samples, loss };
  }

  /** Scores the model on `d`: accuracy (argmax, or |error| < 0.5 for linreg), mean loss, MAE
   *  (linreg: mean |ŷ − t|; classifiers: mean (1 − p_y)). Throws FirmwareError. */
  evaluate(d: Dataset): { count: number; accuracy: number; loss: number; mae: number } {
    const { linreg, outputs } = this.checkData(d);
    check(this.x.kernel_eval_begin(), 'evaluate');
    const chunk = this.chunkSamples(d.dim, linreg, outputs);
    for (let s = 0; s < d.n; s += chunk) {
      const n = Math.min(chunk, d.n - s);
      this.stage(d, null, s, n, linreg, outputs);
      check(this.x.kernel_eval(n), 'evaluate');
    }
    const m = (k: number) => this.x.kernel_metric(k) as number;
    return { count: m(0), accuracy: m(1), loss: m(2), mae: m(3) };
  }

  /** TFLite int8 inference: n × outputs int8 outputs. Throws FirmwareError. */
  infer(x: Uint8Array, n: number): Int8Array {
    const s = this.shape();
    if (x.length !== n * s.inputs) throw new FirmwareError(-1, 'infer: input length');
    const p = check(this.x.kernel_stream_reserve(n * (s.inputs + s.outputs)), 'infer');
    this.fw.bytes(p, x.length).set(x);
    const len = check(this.x.kernel_infer(n), 'infer');
    return new Int8Array(this.fw.memory.buffer.slice(p + n * s.inputs, p + n * s.inputs + len));
  }

  /** Peak linear memory in bytes (from address 0), excluding the data stream. */
  peakMemoryBytes(): number { return this.x.kernel_peak_memory(); }

  /** Kernel-owned working memory above __heap_base (tables, model, scratch), excluding the
   *  stream and the module's static data (which includes the crypto tables). */
  workingMemoryBytes(): number { return this.x.kernel_working_memory(); }

  /** Peak linear memory including the data stream. */
  peakMemoryTotalBytes(): number { return this.x.kernel_peak_memory_total(); }
}

// .tflite flatbuffer → model blob (docs/model-format.md, "TFLite import"). Accepts the graphs
// the kernel can run: one or two int8 FULLY_CONNECTED layers (per-channel or per-tensor
// symmetric weights, int32 biases), optionally framed by the operators a TFLite converter adds
// around them (QUANTIZE of a float input, RESHAPE to flatten, SOFTMAX and DEQUANTIZE at the
// output), which the blob has no place for and which are dropped. Anything else is refused
// with a TfliteUnsupportedError naming the operator, tensor or quantization that does not fit.
import { encodeModel, ModelFormatError, ARCHES, ROUNDINGS, MAX_INPUTS, MAX_HIDDEN, MAX_OUTPUTS, BIAS_MAX,
  type Arch, type Rounding, type ModelHeader } from '../model-blob.js';
import { FlatReader, TfliteFormatError, type Table } from './flatbuffer.js';
import * as S from './schema.js';
import { EFL_META_MAGIC, EFL_META_VERSION } from './write.js';

export { TfliteFormatError } from './flatbuffer.js';

/** A valid TFLite file whose graph, types or quantization the model blob cannot represent. */
export class TfliteUnsupportedError extends Error {
  constructor(message: string) { super(message); this.name = 'TfliteUnsupportedError'; }
}

/** Largest .tflite accepted (an MLP 1024→64→16 is ~70 kB; foreign files carry extra metadata). */
export const MAX_TFLITE_BYTES = 8 * 1024 * 1024;
const MAX_TENSORS = 256, MAX_OPS = 64, MAX_BUFFERS = 1024, MAX_DIMS = 8, MAX_STRING = 4096;

export interface ImportOptions {
  /** Architecture of a one-layer model: 'logreg' (classifier) or 'linreg' (regression head).
   *  Default: from the toolkit's metadata, else 'logreg' when a SOFTMAX follows, 'linreg' for one
   *  output, otherwise 'logreg'. */
  arch?: 'logreg' | 'linreg';
  /** Rounding mode of the blob. Default: the toolkit's metadata, else 'single' (what TFLite's
   *  builtin kernels run; docs/model-format.md "Rounding"). */
  rounding?: Rounding;
}

export interface ImportResult {
  blob: Uint8Array;
  header: ModelHeader;
  /** Operators dropped around the FULLY_CONNECTED layers, e.g. "SOFTMAX". */
  dropped: string[];
  /** True when the file carried this toolkit's metadata (master fractions, arch, rounding). */
  fromToolkit: boolean;
}

interface Quant { scale: number[]; zeroPoint: number[]; dim: number }
interface TensorInfo { index: number; name: string; shape: number[]; type: number; buffer: number; quant?: Quant }

const typeName = (t: number) => S.TENSOR_TYPE_NAMES[t] ?? `type ${t}`;
const opName = (c: number) => S.OPERATOR_NAMES[c] ?? `builtin operator ${c}`;
const validScale = (s: number) => Number.isFinite(s) && s >= 1e-12 && s <= 1e6;

class Graph {
  readonly tensors: Table[];
  readonly buffers: Table[];
  constructor(tensors: Table[], buffers: Table[]) { this.tensors = tensors; this.buffers = buffers; }

  tensor(i: number, what: string): TensorInfo {
    if (!Number.isInteger(i) || i < 0 || i >= this.tensors.length) throw new TfliteFormatError(`${what}: tensor index ${i} out of range`);
    const t = this.tensors[i];
    const name = t.string(S.Tensor.name, MAX_STRING) ?? `#${i}`;
    if (t.has(S.Tensor.sparsity)) throw new TfliteUnsupportedError(`tensor "${name}" is sparse; only dense tensors are supported`);
    const q = t.table(S.Tensor.quantization, `quantization of "${name}"`);
    let quant: Quant | undefined;
    if (q) {
      if (q.u8(S.Quantization.details_type) !== 0) throw new TfliteUnsupportedError(`tensor "${name}" uses custom quantization details`);
      const scale = q.f32s(S.Quantization.scale, MAX_OUTPUTS * 64) ?? [];
      const zp = (q.i64s(S.Quantization.zero_point, MAX_OUTPUTS * 64) ?? []).map((z) => (z >= -(2n ** 31n) && z < 2n ** 31n ? Number(z) : NaN));
      if (scale.length) quant = { scale, zeroPoint: zp, dim: q.i32(S.Quantization.quantized_dimension) };
    }
    return { index: i, name, shape: t.i32s(S.Tensor.shape, MAX_DIMS) ?? [], type: t.i8(S.Tensor.type), buffer: t.u32(S.Tensor.buffer), quant };
  }

  /** Constant data of a tensor, or undefined when it has none. */
  data(t: TensorInfo): Uint8Array | undefined {
    if (t.buffer === 0) return undefined;
    if (t.buffer >= this.buffers.length) throw new TfliteFormatError(`tensor "${t.name}": buffer ${t.buffer} out of range`);
    const b = this.buffers[t.buffer];
    if (b.u64(S.Buffer.offset) > 1n) throw new TfliteUnsupportedError(`tensor "${t.name}" keeps its data outside the flatbuffer (models over 2 GB)`);
    const d = b.bytes(S.Buffer.data, MAX_INPUTS * MAX_OUTPUTS * 64 + 64);
    return d && d.length ? d : undefined;
  }
}

/** Per-tensor int8 activation quantization → [scale, zero point]. */
function activationQuant(t: TensorInfo, role: string): [number, number] {
  if (t.type !== S.TensorType.INT8) throw new TfliteUnsupportedError(`${role} "${t.name}" is ${typeName(t.type)}; the kernel's activations are int8`);
  const q = t.quant;
  if (!q || q.scale.length !== 1 || q.zeroPoint.length !== 1) throw new TfliteUnsupportedError(`${role} "${t.name}" needs per-tensor quantization (one scale and zero point)`);
  if (!validScale(q.scale[0]) || !(q.zeroPoint[0] >= -128 && q.zeroPoint[0] <= 127)) throw new TfliteUnsupportedError(`${role} "${t.name}": scale ${q.scale[0]} / zero point ${q.zeroPoint[0]} out of range`);
  return [q.scale[0], q.zeroPoint[0]];
}

const elements = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
/** [1, n] or [n] → n; anything else is not a single flat sample. */
function flatWidth(t: TensorInfo, role: string): number {
  const s = t.shape;
  if ((s.length === 2 && s[0] === 1 && s[1] > 0) || (s.length === 1 && s[0] > 0)) return s[s.length - 1];
  throw new TfliteUnsupportedError(`${role} "${t.name}" has shape [${s.join(', ')}]; expected [1, n]`);
}

interface Layer { inp: number; out: number; w: Int8Array; bias: Int32Array; wScales: number[]; outScale: number; outZp: number; inScale: number; inZp: number }

function fullyConnected(g: Graph, op: Table, k: number, x: TensorInfo): { layer: Layer; output: TensorInfo; activation: number } {
  const ins = op.i32s(S.Operator.inputs, 8) ?? [], outs = op.i32s(S.Operator.outputs, 8) ?? [];
  if (ins.length < 2 || ins.length > 3 || outs.length !== 1) throw new TfliteFormatError(`FULLY_CONNECTED (operator ${k}) has ${ins.length} inputs / ${outs.length} outputs`);
  const optType = op.u8(S.Operator.builtin_options_type);
  const opts = op.table(S.Operator.builtin_options, 'FullyConnectedOptions');
  if (opts && optType !== S.BuiltinOptions.FullyConnectedOptions) throw new TfliteFormatError(`FULLY_CONNECTED (operator ${k}) carries options of union type ${optType}`);
  const activation = opts?.i8(S.FullyConnectedOptions.fused_activation_function) ?? 0;
  if ((opts?.i8(S.FullyConnectedOptions.weights_format) ?? 0) !== 0) throw new TfliteUnsupportedError(`FULLY_CONNECTED (operator ${k}) uses shuffled weights; only the DEFAULT weights format is supported`);
  const [inScale, inZp] = activationQuant(x, `input of FULLY_CONNECTED ${k}`);
  const inp = flatWidth(x, `input of FULLY_CONNECTED ${k}`);
  const f = g.tensor(ins[1], `weights of FULLY_CONNECTED ${k}`);
  if (f.type === S.TensorType.UINT8) throw new TfliteUnsupportedError(`weights "${f.name}" are uint8 (the legacy asymmetric scheme); re-convert the model with int8 quantization`);
  if (f.type === S.TensorType.FLOAT32) throw new TfliteUnsupportedError(`weights "${f.name}" are float32: the model is not integer-quantized (convert with full int8 quantization)`);
  if (f.type !== S.TensorType.INT8) throw new TfliteUnsupportedError(`weights "${f.name}" are ${typeName(f.type)}; only int8 weights are supported`);
  if (f.shape.length !== 2 || f.shape[1] !== inp || f.shape[0] < 1) throw new TfliteUnsupportedError(`weights "${f.name}" have shape [${f.shape.join(', ')}]; expected [outputs, ${inp}]`);
  const out = f.shape[0];
  const fq = f.quant;
  if (!fq || !(fq.scale.length === out || fq.scale.length === 1) || fq.zeroPoint.length !== fq.scale.length) throw new TfliteUnsupportedError(`weights "${f.name}" need one scale per output channel (or one per tensor)`);
  if (fq.scale.length > 1 && fq.dim !== 0) throw new TfliteUnsupportedError(`weights "${f.name}" are quantized along dimension ${fq.dim}; FULLY_CONNECTED needs dimension 0 (output channels)`);
  if (fq.zeroPoint.some((z) => z !== 0)) throw new TfliteUnsupportedError(`weights "${f.name}" are asymmetric (zero point ≠ 0); the TFLite int8 spec and the kernel need symmetric weights`);
  if (!fq.scale.every(validScale)) throw new TfliteUnsupportedError(`weights "${f.name}" have a scale outside [1e-12, 1e6]`);
  const wScales = fq.scale.length === out ? fq.scale : Array(out).fill(fq.scale[0]);
  const wd = g.data(f);
  if (!wd || wd.length !== inp * out) throw new TfliteUnsupportedError(`weights "${f.name}" must be a constant of ${inp * out} bytes (got ${wd?.length ?? 0})`);
  const w = new Int8Array(wd.buffer.slice(wd.byteOffset, wd.byteOffset + wd.length));
  const neg = w.indexOf(-128);
  if (neg >= 0) throw new TfliteUnsupportedError(`weights "${f.name}" hold −128 at [${Math.floor(neg / inp)}][${neg % inp}]; int8 weights must be in [−127, 127] (TFLite quantization spec)`);
  const bias = new Int32Array(out);
  if (ins.length === 3 && ins[2] >= 0) {
    const b = g.tensor(ins[2], `bias of FULLY_CONNECTED ${k}`);
    if (b.type !== S.TensorType.INT32) throw new TfliteUnsupportedError(`bias "${b.name}" is ${typeName(b.type)}; int8 FULLY_CONNECTED needs an int32 bias`);
    const bd = g.data(b);
    if (!bd || bd.length !== 4 * out) throw new TfliteUnsupportedError(`bias "${b.name}" must be a constant of ${out} int32 values`);
    const dv = new DataView(bd.buffer, bd.byteOffset, bd.length);
    for (let c = 0; c < out; c++) {
      bias[c] = dv.getInt32(4 * c, true);
      if (Math.abs(bias[c]) > BIAS_MAX) throw new TfliteUnsupportedError(`bias "${b.name}"[${c}] = ${bias[c]} exceeds the kernel's ±2^28 (which keeps accumulators from overflowing)`);
    }
    // TFLite's own check (kernel_util.cc): |s_in·s_w − s_bias| ≤ 1e-6 · min(...)
    if (b.quant) b.quant.scale.forEach((sb, c) => {
      const want = Math.fround(inScale) * Math.fround(wScales[b.quant!.scale.length === 1 ? 0 : c]);
      if (!(Math.abs(want - sb) <= 1e-6 * Math.min(want, sb))) throw new TfliteUnsupportedError(`bias "${b.name}" scale ${sb} ≠ input scale × weight scale ${want}`);
    });
  }
  const y = g.tensor(outs[0], `output of FULLY_CONNECTED ${k}`);
  const [outScale, outZp] = activationQuant(y, `output of FULLY_CONNECTED ${k}`);
  if (flatWidth(y, `output of FULLY_CONNECTED ${k}`) !== out) throw new TfliteUnsupportedError(`output "${y.name}" width differs from the weights' ${out} rows`);
  if (activation !== S.Activation.NONE && activation !== S.Activation.RELU) {
    throw new TfliteUnsupportedError(`FULLY_CONNECTED ${k} has fused activation ${S.ACTIVATION_NAMES[activation] ?? activation}; supported: NONE, RELU`);
  }
  return { layer: { inp, out, w, bias, wScales, outScale, outZp, inScale, inZp }, output: y, activation };
}

/** The toolkit's metadata record, if present: arch, rounding, master fractions. */
function toolkitMeta(root: Table, buffers: Table[]): { arch: Arch; rounding: Rounding; fractions: Int8Array } | undefined {
  for (const m of root.tables(S.Model.metadata, 64, 'Metadata') ?? []) {
    if (m.string(S.Metadata.name, MAX_STRING) !== S.EFL_METADATA) continue;
    const bi = m.u32(S.Metadata.buffer);
    if (bi >= buffers.length) throw new TfliteFormatError(`metadata ${S.EFL_METADATA}: buffer ${bi} out of range`);
    const d = buffers[bi].bytes(S.Buffer.data, MAX_TFLITE_BYTES) ?? new Uint8Array(0);
    if (d.length < 8 || EFL_META_MAGIC.some((v, i) => d[i] !== v) || d[4] !== EFL_META_VERSION || !ARCHES[d[5]] || !ROUNDINGS[d[6]]) {
      throw new TfliteFormatError(`metadata ${S.EFL_METADATA} is malformed or of an unknown version`);
    }
    return { arch: ARCHES[d[5]], rounding: ROUNDINGS[d[6]], fractions: new Int8Array(d.slice(8).buffer) };
  }
  return undefined;
}

/** Reads a .tflite and returns the equivalent model blob. Throws TfliteFormatError (malformed or
 *  truncated file) or TfliteUnsupportedError (valid TFLite the kernel cannot run).
 *  @example const { blob } = tfliteToBlob(readFileSync('model.tflite')); kernel.load(blob); */
export function tfliteToBlob(bytes: Uint8Array, o: ImportOptions = {}): ImportResult {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('bytes must be a Uint8Array');
  if (bytes.length > MAX_TFLITE_BYTES) throw new TfliteFormatError(`file of ${bytes.length} bytes exceeds the ${MAX_TFLITE_BYTES}-byte limit`);
  const r = new FlatReader(bytes);
  const root = r.root(S.TFLITE_IDENTIFIER, 'Model');
  const version = root.u32(S.Model.version);
  if (version !== S.TFLITE_SCHEMA_VERSION) throw new TfliteUnsupportedError(`schema version ${version}; only version ${S.TFLITE_SCHEMA_VERSION} is supported`);
  const codes = (root.tables(S.Model.operator_codes, MAX_OPS, 'OperatorCode') ?? []).map((c) => ({
    // GetBuiltinCode (schema_utils.cc): the larger of the two fields
    code: Math.max(c.i8(S.OperatorCode.deprecated_builtin_code), c.i32(S.OperatorCode.builtin_code)),
    custom: c.string(S.OperatorCode.custom_code, MAX_STRING),
  }));
  const subgraphs = root.tables(S.Model.subgraphs, 16, 'SubGraph') ?? [];
  if (subgraphs.length !== 1) throw new TfliteUnsupportedError(`the model has ${subgraphs.length} subgraphs; only single-subgraph models (no control flow) are supported`);
  const buffers = root.tables(S.Model.buffers, MAX_BUFFERS, 'Buffer') ?? [];
  const sg = subgraphs[0];
  const g = new Graph(sg.tables(S.SubGraph.tensors, MAX_TENSORS, 'Tensor') ?? [], buffers);
  const gin = sg.i32s(S.SubGraph.inputs, 16) ?? [], gout = sg.i32s(S.SubGraph.outputs, 16) ?? [];
  if (gin.length !== 1 || gout.length !== 1) throw new TfliteUnsupportedError(`the model has ${gin.length} inputs and ${gout.length} outputs; exactly one of each is supported`);

  let cur = g.tensor(gin[0], 'model input');
  const layers: Layer[] = [];
  const acts: number[] = [];
  const dropped: string[] = [];
  let softmax = false;
  const ops = sg.tables(S.SubGraph.operators, MAX_OPS, 'Operator') ?? [];
  ops.forEach((op, k) => {
    const ci = op.u32(S.Operator.opcode_index);
    if (ci >= codes.length) throw new TfliteFormatError(`operator ${k}: opcode index ${ci} out of range`);
    const { code, custom } = codes[ci];
    if (code === 32 || custom !== undefined) throw new TfliteUnsupportedError(`operator ${k} is the custom operator "${custom ?? '?'}"; only builtin operators are supported`);
    const ins = op.i32s(S.Operator.inputs, 8) ?? [], outs = op.i32s(S.Operator.outputs, 8) ?? [];
    if (ins[0] !== cur.index) throw new TfliteUnsupportedError(`operator ${k} (${opName(code)}) does not consume the previous operator's output; only a linear chain of layers is supported`);
    if (outs.length !== 1) throw new TfliteUnsupportedError(`operator ${k} (${opName(code)}) has ${outs.length} outputs`);
    const next = () => g.tensor(outs[0], `output of operator ${k}`);
    const supported = 'supported: FULLY_CONNECTED (fused NONE or RELU), QUANTIZE of a float32 input, RESHAPE before the first layer, SOFTMAX / DEQUANTIZE after the last';
    if (code === S.BuiltinOperator.FULLY_CONNECTED) {
      if (softmax) throw new TfliteUnsupportedError(`FULLY_CONNECTED ${k} follows a SOFTMAX; ${supported}`);
      const fc = fullyConnected(g, op, k, cur);
      layers.push(fc.layer); acts.push(fc.activation);
      cur = fc.output;
    } else if (code === S.BuiltinOperator.QUANTIZE && layers.length === 0 && cur.type === S.TensorType.FLOAT32) {
      dropped.push('QUANTIZE'); cur = next();
    } else if (code === S.BuiltinOperator.RESHAPE && layers.length === 0) {
      const y = next();
      if (elements(y.shape) !== elements(cur.shape)) throw new TfliteUnsupportedError(`RESHAPE ${k} changes the element count`);
      dropped.push('RESHAPE'); cur = y;
    } else if (code === S.BuiltinOperator.SOFTMAX && layers.length > 0 && !softmax) {
      softmax = true; dropped.push('SOFTMAX'); cur = next();
    } else if (code === S.BuiltinOperator.DEQUANTIZE && layers.length > 0) {
      dropped.push('DEQUANTIZE'); cur = next();
    } else {
      throw new TfliteUnsupportedError(`unsupported operator ${opName(code)} (operator ${k}); ${supported}`);
    }
  });
  if (cur.index !== gout[0]) throw new TfliteUnsupportedError('the operator chain does not end at the model output');
  if (layers.length < 1 || layers.length > 2) throw new TfliteUnsupportedError(`${layers.length} FULLY_CONNECTED layers; the kernel's architectures have 1 (logreg, linreg) or 2 (mlp)`);

  const meta = toolkitMeta(root, buffers);
  const L0 = layers[0], last = layers[layers.length - 1];
  if (L0.inZp !== -128) throw new TfliteUnsupportedError(`input zero point is ${L0.inZp}; the kernel's inputs are uint8 features shifted to int8 (zero point −128)`);
  if (L0.inp > MAX_INPUTS) throw new TfliteUnsupportedError(`${L0.inp} inputs exceed the kernel's ${MAX_INPUTS}`);
  if (last.out > MAX_OUTPUTS) throw new TfliteUnsupportedError(`${last.out} outputs exceed the kernel's ${MAX_OUTPUTS}`);
  if (acts[acts.length - 1] !== S.Activation.NONE) throw new TfliteUnsupportedError('the last FULLY_CONNECTED has a fused RELU; the kernel\'s output layer has no activation');
  if (layers.length === 2) {
    if (L0.out > MAX_HIDDEN) throw new TfliteUnsupportedError(`hidden width ${L0.out} exceeds the kernel's ${MAX_HIDDEN}`);
    // ReLU fused as TFLite does it: activation range [zp, 127], which for zp = −128 is also NONE's
    if (L0.outZp !== -128) throw new TfliteUnsupportedError(`hidden activation zero point is ${L0.outZp}; the kernel's ReLU layer needs −128 (real 0 at the bottom of the int8 range)`);
  }
  let arch: Arch;
  if (layers.length === 2) arch = 'mlp';
  else arch = o.arch ?? (meta && meta.arch !== 'mlp' ? meta.arch : softmax ? 'logreg' : last.out === 1 ? 'linreg' : 'logreg');
  if (arch === 'logreg' && last.out < 2) throw new TfliteUnsupportedError('a classifier needs at least 2 outputs');
  const rounding = o.rounding ?? meta?.rounding ?? 'single';
  const total = layers.reduce((s, l) => s + l.inp * l.out, 0);
  const fractions = meta && meta.fractions.length === total ? meta.fractions : new Int8Array(total);

  const params = new Int32Array(layers.reduce((s, l) => s + l.inp * l.out + l.out, 0));
  let p = 0, f = 0;
  for (const l of layers) {
    for (let i = 0; i < l.w.length; i++) params[p++] = l.w[i] * 256 + fractions[f++];
    for (let c = 0; c < l.out; c++) params[p++] = l.bias[c];
  }
  const header: ModelHeader = {
    version: 1, arch, rounding, inputs: L0.inp, hidden: layers.length === 2 ? L0.out : 0, outputs: last.out,
    inputScale: L0.inScale, inputZeroPoint: -128,
    layers: layers.map((l) => ({ outputScale: l.outScale, outputZeroPoint: l.outZp, weightScales: l.wScales })),
  };
  if (layers.length === 2 && Math.fround(layers[1].inScale) !== Math.fround(L0.outScale)) throw new TfliteFormatError('layer 1 input quantization differs from layer 0 output');
  try {
    const blob = encodeModel(header, params);
    return { blob, header, dropped, fromToolkit: meta !== undefined };
  } catch (e) {
    if (e instanceof ModelFormatError) throw new TfliteUnsupportedError(`not representable as a model blob: ${e.message}`);
    throw e;
  }
}

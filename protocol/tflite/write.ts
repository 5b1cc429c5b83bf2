// Model blob → .tflite flatbuffer (docs/model-format.md, "TFLite export"). The int8 weights,
// int32 biases and f32 scales are copied as they are: the blob already follows the TFLite int8
// quantization spec (per-channel symmetric weights, bias scale s_in·s_w[c], int8 activations).
// What TFLite has no field for (architecture, rounding mode, the master weights' extra 8 bits)
// rides along in one metadata buffer, so that importing the file gives back the same blob.
import { Builder } from 'flatbuffers';
import { decodeModel, MODEL_VERSION, ARCHES, ROUNDINGS, type ModelHeader } from '../model-blob.js';
import * as S from './schema.js';

type Offset = number;

/** A blob the exporter cannot represent (unknown version, architecture or rounding mode). */
export class TfliteExportError extends Error {
  constructor(message: string) { super(message); this.name = 'TfliteExportError'; }
}

/** Side data in the metadata buffer `edgechain_fl.model`: "EFLX", version 1, arch code,
 *  rounding code, reserved 0, then per layer the int8 master fractions [out][in]. */
export const EFL_META_MAGIC = [0x45, 0x46, 0x4c, 0x58]; // "EFLX"
export const EFL_META_VERSION = 1;

export interface ExportOptions {
  /** Model.description (default "edgechain-fl <arch> model, rounding <mode>"). */
  description?: string;
}

function vectorI32(b: Builder, v: ArrayLike<number>): Offset {
  b.startVector(4, v.length, 4);
  for (let i = v.length - 1; i >= 0; i--) b.addInt32(v[i]);
  return b.endVector();
}
function vectorF32(b: Builder, v: ArrayLike<number>): Offset {
  b.startVector(4, v.length, 4);
  for (let i = v.length - 1; i >= 0; i--) b.addFloat32(v[i]);
  return b.endVector();
}
function vectorI64(b: Builder, v: ArrayLike<number>): Offset {
  b.startVector(8, v.length, 8);
  for (let i = v.length - 1; i >= 0; i--) b.addInt64(BigInt(v[i]));
  return b.endVector();
}
function vectorOffsets(b: Builder, v: Offset[]): Offset {
  b.startVector(4, v.length, 4);
  for (let i = v.length - 1; i >= 0; i--) b.addOffset(v[i]);
  return b.endVector();
}
/** Buffer.data is declared (force_align: 16). */
function bufferTable(b: Builder, data: Uint8Array | null): Offset {
  let d = 0;
  if (data) {
    b.startVector(1, data.length, 16);
    for (let i = data.length - 1; i >= 0; i--) b.addInt8(data[i]);
    d = b.endVector();
  }
  b.startObject(S.Buffer.FIELDS);
  if (d) b.addFieldOffset(S.Buffer.data, d, 0);
  return b.endObject();
}

/** QuantizationParameters: scale[] and zero_point[] (one entry per channel of `dim`). */
function quantTable(b: Builder, scales: number[], zeroPoints: number[], dim: number): Offset {
  const sc = vectorF32(b, scales), zp = vectorI64(b, zeroPoints);
  b.startObject(S.Quantization.FIELDS);
  b.addFieldOffset(S.Quantization.scale, sc, 0);
  b.addFieldOffset(S.Quantization.zero_point, zp, 0);
  b.addFieldInt32(S.Quantization.quantized_dimension, dim, 0);
  return b.endObject();
}

interface TensorSpec { name: string; shape: number[]; type: number; buffer: number; scales: number[]; zeroPoints: number[] }

function tensorTable(b: Builder, t: TensorSpec): Offset {
  const name = b.createString(t.name), shape = vectorI32(b, t.shape);
  const q = quantTable(b, t.scales, t.zeroPoints, 0);
  b.startObject(S.Tensor.FIELDS);
  b.addFieldOffset(S.Tensor.shape, shape, 0);
  b.addFieldInt8(S.Tensor.type, t.type, 0);
  b.addFieldInt32(S.Tensor.buffer, t.buffer, 0);
  b.addFieldOffset(S.Tensor.name, name, 0);
  b.addFieldOffset(S.Tensor.quantization, q, 0);
  return b.endObject();
}

function fcOperator(b: Builder, inputs: number[], output: number, activation: number): Offset {
  b.startObject(S.FullyConnectedOptions.FIELDS);
  b.addFieldInt8(S.FullyConnectedOptions.fused_activation_function, activation, 0);
  const opts = b.endObject();
  const ins = vectorI32(b, inputs), outs = vectorI32(b, [output]);
  b.startObject(S.Operator.FIELDS);
  b.addFieldInt32(S.Operator.opcode_index, 0, 0);
  b.addFieldOffset(S.Operator.inputs, ins, 0);
  b.addFieldOffset(S.Operator.outputs, outs, 0);
  b.addFieldInt8(S.Operator.builtin_options_type, S.BuiltinOptions.FullyConnectedOptions, 0);
  b.addFieldOffset(S.Operator.builtin_options, opts, 0);
  return b.endObject();
}

const le32 = (v: ArrayLike<number>, signed: boolean) => {
  const out = new Uint8Array(4 * v.length), dv = new DataView(out.buffer);
  for (let i = 0; i < v.length; i++) signed ? dv.setInt32(4 * i, v[i], true) : dv.setUint32(4 * i, v[i], true);
  return out;
};

/** Checks what the exporter needs beyond decodeModel's validation. Throws TfliteExportError. */
function representable(h: ModelHeader): void {
  if (h.version !== MODEL_VERSION) throw new TfliteExportError(`cannot export model blob version ${h.version}: this exporter writes version ${MODEL_VERSION} only`);
  if (!ARCHES.includes(h.arch)) throw new TfliteExportError(`cannot export architecture ${h.arch}`);
  if (!ROUNDINGS.includes(h.rounding ?? 'double')) throw new TfliteExportError(`cannot export rounding mode ${h.rounding}`);
}

/** Writes a model blob as a TFLite flatbuffer: int8 input [1, inputs] (uint8 features − 128),
 *  FULLY_CONNECTED per layer (fused ReLU on the MLP's hidden layer), int8 output [1, outputs].
 *  Throws ModelFormatError for a malformed blob, TfliteExportError for one it cannot represent.
 *  @example writeFileSync('model.tflite', blobToTflite(blob)); */
export function blobToTflite(blob: Uint8Array, o: ExportOptions = {}): Uint8Array {
  if (blob instanceof Uint8Array && blob.length >= 5 && blob[4] !== MODEL_VERSION) {
    throw new TfliteExportError(`cannot export model blob version ${blob[4]}: this exporter writes version ${MODEL_VERSION} only`);
  }
  const { header: h, params } = decodeModel(blob);
  representable(h);
  const rounding = h.rounding ?? 'double';
  const b = new Builder(blob.length + 4096);

  // Tensors, buffers: buffer 0 is the empty sentinel the schema requires.
  const buffers: (Uint8Array | null)[] = [null];
  const tensors: TensorSpec[] = [];
  const fractions: Uint8Array[] = [];
  tensors.push({ name: 'input', shape: [1, h.inputs], type: S.TensorType.INT8, buffer: 0, scales: [h.inputScale], zeroPoints: [h.inputZeroPoint] });
  const ops: { inputs: number[]; output: number; activation: number }[] = [];
  let p = 0, inp = h.inputs, inScale = h.inputScale, inTensor = 0;
  h.layers.forEach((q, l) => {
    const out = q.weightScales.length, n = inp * out;
    const w = new Uint8Array(n), f = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const m = params[p++], wi = (m + 128) >> 8; // the blob's int8 weight (docs/model-format.md)
      w[i] = wi & 0xff; f[i] = (m - wi * 256) & 0xff;
    }
    const bias = Int32Array.from({ length: out }, () => params[p++]);
    fractions.push(f);
    const last = l === h.layers.length - 1;
    buffers.push(w);
    tensors.push({ name: `dense_${l}/weights`, shape: [out, inp], type: S.TensorType.INT8, buffer: buffers.length - 1, scales: q.weightScales, zeroPoints: q.weightScales.map(() => 0) });
    buffers.push(le32(bias, true));
    // bias scale s_in·s_w[c] (TFLite quantization spec), as TFLite computes and checks it
    tensors.push({ name: `dense_${l}/bias`, shape: [out], type: S.TensorType.INT32, buffer: buffers.length - 1, scales: q.weightScales.map((s) => Math.fround(inScale) * Math.fround(s)), zeroPoints: q.weightScales.map(() => 0) });
    tensors.push({ name: last ? 'output' : `dense_${l}/relu`, shape: [1, out], type: S.TensorType.INT8, buffer: 0, scales: [q.outputScale], zeroPoints: [q.outputZeroPoint] });
    const t = tensors.length;
    ops.push({ inputs: [inTensor, t - 3, t - 2], output: t - 1, activation: last ? S.Activation.NONE : S.Activation.RELU });
    inp = out; inScale = q.outputScale; inTensor = t - 1;
  });
  const meta = new Uint8Array(8 + fractions.reduce((s, f) => s + f.length, 0));
  meta.set(EFL_META_MAGIC, 0);
  meta[4] = EFL_META_VERSION; meta[5] = ARCHES.indexOf(h.arch); meta[6] = ROUNDINGS.indexOf(rounding);
  let off = 8;
  for (const f of fractions) { meta.set(f, off); off += f.length; }
  buffers.push(meta);
  const metaBuffer = buffers.length - 1;

  // Build bottom-up (flatbuffers writes children before parents).
  const bufferOffs = buffers.map((d) => bufferTable(b, d));
  const tensorOffs = tensors.map((t) => tensorTable(b, t));
  const opOffs = ops.map((op) => fcOperator(b, op.inputs, op.output, op.activation));
  const sgTensors = vectorOffsets(b, tensorOffs), sgIn = vectorI32(b, [0]), sgOut = vectorI32(b, [inTensor]), sgOps = vectorOffsets(b, opOffs);
  const sgName = b.createString('main');
  b.startObject(S.SubGraph.FIELDS);
  b.addFieldOffset(S.SubGraph.tensors, sgTensors, 0);
  b.addFieldOffset(S.SubGraph.inputs, sgIn, 0);
  b.addFieldOffset(S.SubGraph.outputs, sgOut, 0);
  b.addFieldOffset(S.SubGraph.operators, sgOps, 0);
  b.addFieldOffset(S.SubGraph.name, sgName, 0);
  const subgraph = b.endObject();

  b.startObject(S.OperatorCode.FIELDS);
  b.addFieldInt8(S.OperatorCode.deprecated_builtin_code, S.BuiltinOperator.FULLY_CONNECTED, 0);
  b.addFieldInt32(S.OperatorCode.version, S.FULLY_CONNECTED_INT8_VERSION, 1);
  b.addFieldInt32(S.OperatorCode.builtin_code, S.BuiltinOperator.FULLY_CONNECTED, 0);
  const opcode = b.endObject();

  const metaName = b.createString(S.EFL_METADATA);
  b.startObject(S.Metadata.FIELDS);
  b.addFieldOffset(S.Metadata.name, metaName, 0);
  b.addFieldInt32(S.Metadata.buffer, metaBuffer, 0);
  const metadata = b.endObject();

  const opcodes = vectorOffsets(b, [opcode]), subgraphs = vectorOffsets(b, [subgraph]), bufs = vectorOffsets(b, bufferOffs), metas = vectorOffsets(b, [metadata]);
  const desc = b.createString(o.description ?? `edgechain-fl ${h.arch} model, rounding ${rounding}`);
  b.startObject(S.Model.FIELDS);
  b.addFieldInt32(S.Model.version, S.TFLITE_SCHEMA_VERSION, 0);
  b.addFieldOffset(S.Model.operator_codes, opcodes, 0);
  b.addFieldOffset(S.Model.subgraphs, subgraphs, 0);
  b.addFieldOffset(S.Model.description, desc, 0);
  b.addFieldOffset(S.Model.buffers, bufs, 0);
  b.addFieldOffset(S.Model.metadata, metas, 0);
  b.finish(b.endObject(), S.TFLITE_IDENTIFIER);
  return b.asUint8Array().slice();
}

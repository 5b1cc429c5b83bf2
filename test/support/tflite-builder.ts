// An independent writer of TFLite flatbuffers for tests, in the style of the TensorFlow Lite
// converter's output (buffers after a sentinel, operator codes with both code fields,
// min_runtime_version metadata, a serving_default signature, shape signatures with a dynamic
// batch). Field slots are written here from schema.fbs directly, not taken from tflite/schema.ts,
// so that importing these files does not only test the toolkit against itself.
import { Builder } from 'flatbuffers';

export const INT8 = 9, INT32 = 2, UINT8 = 3, FLOAT32 = 0, INT16 = 7;
export const OP = { CONV_2D: 3, DEQUANTIZE: 6, FULLY_CONNECTED: 9, RELU: 19, RESHAPE: 22, SOFTMAX: 25, QUANTIZE: 114, CUSTOM: 32 };

export interface TTensor { name: string; shape: number[]; type: number; data?: Uint8Array; scale?: number[]; zp?: number[]; dim?: number; batchDynamic?: boolean }
export interface TOp { code: number; inputs: number[]; outputs: number[]; act?: number; weightsFormat?: number; reshape?: number[]; beta?: number; custom?: string }
export interface TModel { tensors: TTensor[]; ops: TOp[]; inputs: number[]; outputs: number[]; subgraphs?: number; identifier?: string; version?: number; deprecatedCodesOnly?: boolean }

const i8bytes = (v: ArrayLike<number>) => Uint8Array.from(v, (x) => x & 0xff);
export const weightBytes = i8bytes;
export function int32Bytes(v: ArrayLike<number>): Uint8Array {
  const b = new Uint8Array(4 * v.length), dv = new DataView(b.buffer);
  for (let i = 0; i < v.length; i++) dv.setInt32(4 * i, v[i], true);
  return b;
}

/** Builds the file. */
export function buildTflite(m: TModel): Uint8Array {
  const b = new Builder(1024);
  const ints = (v: number[]) => { b.startVector(4, v.length, 4); for (let i = v.length - 1; i >= 0; i--) b.addInt32(v[i]); return b.endVector(); };
  const floats = (v: number[]) => { b.startVector(4, v.length, 4); for (let i = v.length - 1; i >= 0; i--) b.addFloat32(v[i]); return b.endVector(); };
  const longs = (v: number[]) => { b.startVector(8, v.length, 8); for (let i = v.length - 1; i >= 0; i--) b.addInt64(BigInt(v[i])); return b.endVector(); };
  const tables = (v: number[]) => { b.startVector(4, v.length, 4); for (let i = v.length - 1; i >= 0; i--) b.addOffset(v[i]); return b.endVector(); };
  const bytes = (v: Uint8Array) => { b.startVector(1, v.length, 16); for (let i = v.length - 1; i >= 0; i--) b.addInt8(v[i]); return b.endVector(); };

  // buffers: 0 sentinel, then one per constant tensor, then the runtime-version metadata
  const bufData: (Uint8Array | undefined)[] = [undefined];
  const tensorBuf = m.tensors.map((t) => (t.data ? (bufData.push(t.data), bufData.length - 1) : 0));
  bufData.push(new TextEncoder().encode('2.3.0\0\0\0\0\0\0'));
  const bufOffs = bufData.map((d) => { const v = d ? bytes(d) : 0; b.startObject(3); if (v) b.addFieldOffset(0, v, 0); return b.endObject(); });

  const tensorOffs = m.tensors.map((t, i) => {
    const name = b.createString(t.name), shape = ints(t.shape);
    const sig = t.batchDynamic ? ints([-1, ...t.shape.slice(1)]) : 0;
    let q = 0;
    if (t.scale) {
      const sc = floats(t.scale), zp = longs(t.zp ?? t.scale.map(() => 0));
      b.startObject(7); b.addFieldOffset(2, sc, 0); b.addFieldOffset(3, zp, 0); b.addFieldInt32(6, t.dim ?? 0, 0); q = b.endObject();
    }
    b.startObject(10);
    b.addFieldOffset(0, shape, 0); b.addFieldInt8(1, t.type, 0); b.addFieldInt32(2, tensorBuf[i], 0); b.addFieldOffset(3, name, 0);
    if (q) b.addFieldOffset(4, q, 0);
    if (sig) b.addFieldOffset(7, sig, 0);
    return b.endObject();
  });

  const codes: number[] = [];
  const customs: (string | undefined)[] = [];
  const opOffs = m.ops.map((op) => {
    let idx = codes.findIndex((c, i) => c === op.code && customs[i] === op.custom);
    if (idx < 0) { codes.push(op.code); customs.push(op.custom); idx = codes.length - 1; }
    let optType = 0, opt = 0;
    if (op.code === OP.FULLY_CONNECTED) { b.startObject(5); b.addFieldInt8(0, op.act ?? 0, 0); b.addFieldInt8(1, op.weightsFormat ?? 0, 0); opt = b.endObject(); optType = 8; }
    if (op.code === OP.SOFTMAX) { b.startObject(1); b.addFieldFloat32(0, op.beta ?? 1, 0); opt = b.endObject(); optType = 9; }
    if (op.code === OP.RESHAPE && op.reshape) { const ns = ints(op.reshape); b.startObject(1); b.addFieldOffset(0, ns, 0); opt = b.endObject(); optType = 17; }
    const ins = ints(op.inputs), outs = ints(op.outputs);
    b.startObject(13);
    b.addFieldInt32(0, idx, 0); b.addFieldOffset(1, ins, 0); b.addFieldOffset(2, outs, 0);
    if (opt) { b.addFieldInt8(3, optType, 0); b.addFieldOffset(4, opt, 0); }
    return b.endObject();
  });
  const sgOffs = Array.from({ length: m.subgraphs ?? 1 }, () => {
    const t = tables(tensorOffs), i = ints(m.inputs), o = ints(m.outputs), ops = tables(opOffs), n = b.createString('main');
    b.startObject(5); b.addFieldOffset(0, t, 0); b.addFieldOffset(1, i, 0); b.addFieldOffset(2, o, 0); b.addFieldOffset(3, ops, 0); b.addFieldOffset(4, n, 0);
    return b.endObject();
  });
  const codeOffs = codes.map((c, i) => {
    const cs = customs[i] ? b.createString(customs[i]!) : 0;
    b.startObject(4);
    b.addFieldInt8(0, Math.min(c, 127), 0);
    if (cs) b.addFieldOffset(1, cs, 0);
    b.addFieldInt32(2, c === OP.FULLY_CONNECTED ? 9 : 1, 1);
    if (!m.deprecatedCodesOnly) b.addFieldInt32(3, c, 0);
    return b.endObject();
  });
  const metaName = b.createString('min_runtime_version');
  b.startObject(2); b.addFieldOffset(0, metaName, 0); b.addFieldInt32(1, bufData.length - 1, 0); const meta = b.endObject();
  // signature_defs: serving_default with named input/output
  const mapOf = (name: string, idx: number) => { const n = b.createString(name); b.startObject(2); b.addFieldOffset(0, n, 0); b.addFieldInt32(1, idx, 0); return b.endObject(); };
  const sIn = tables([mapOf('input_1', m.inputs[0])]), sOut = tables([mapOf('dense_1', m.outputs[0])]), key = b.createString('serving_default');
  b.startObject(5); b.addFieldOffset(0, sIn, 0); b.addFieldOffset(1, sOut, 0); b.addFieldOffset(2, key, 0); const sig = b.endObject();

  const vCodes = tables(codeOffs), vSg = tables(sgOffs), vBuf = tables(bufOffs), vMeta = tables([meta]), vSig = tables([sig]);
  const desc = b.createString('MLIR Converted.');
  b.startObject(8);
  b.addFieldInt32(0, m.version ?? 3, 0); b.addFieldOffset(1, vCodes, 0); b.addFieldOffset(2, vSg, 0); b.addFieldOffset(3, desc, 0);
  b.addFieldOffset(4, vBuf, 0); b.addFieldOffset(6, vMeta, 0); b.addFieldOffset(7, vSig, 0);
  b.finish(b.endObject(), m.identifier ?? 'TFL3');
  return b.asUint8Array().slice();
}

// Every export of the training kernel (firmware ABI: docs/firmware-abi.md).
// Return values ≥ 0 are results, < 0 are error codes from firmware/errors.ts.
import { OK, E_BAD_LENGTH, E_BAD_DIMS, E_BAD_PARAM, E_TOO_LARGE, E_NOT_READY } from "../errors";
import { initModel, blobBytes, ready, nInputs, nOutputs, nLayers, nHidden, arch } from "./model";
import { loadModel, exportModel, loadBegin, loadChunk, loadEnd, exportPart, modelBlobBytes } from "./blob";
import { trainBegin, runChunk, trainEnd, metric, metricsReset } from "./train";
import { forward } from "./forward";
import { streamBase, streamCapacity, streamReserve, streamRoom, peakModelBytes, peakTotalBytes, layoutReset, layoutCommit, hostMemoryCheck } from "./layout";
import { tablesInit } from "./tables";
import { fullyConnectedPerChannel } from "./fully_connected";
import { mbqm, quantizeMultiplier, lastShift, ROUND_DOUBLE, ROUND_SINGLE } from "./fixedpoint";
import { selfTest } from "./selftest";

const HEAP_BASE: usize = __heap_base;
const DATA_END: usize = __data_end;
export { HEAP_BASE as __heap_base, DATA_END as __data_end };

/** ABI version of the kernel exports. */
export function kernel_version(): i32 { return 2; }

/** Address of the host stream buffer (changes after kernel_init/kernel_load). */
export function kernel_stream_ptr(): i32 {
  const h = hostMemoryCheck();
  if (h != OK) return h;
  if (streamBase() == 0) { layoutReset(tablesInit(__heap_base)); if (!layoutCommit()) return E_TOO_LARGE; }
  return i32(streamBase());
}

/** Makes the stream at least `bytes` long; returns its address or E_TOO_LARGE. */
export function kernel_stream_reserve(bytes: i32): i32 {
  if (bytes < 0 || bytes > (1 << 24)) return E_BAD_LENGTH;
  const p = kernel_stream_ptr();
  if (p < 0) return p;
  return streamReserve(usize(bytes)) ? p : E_TOO_LARGE;
}

/** Current stream capacity in bytes. */
export function kernel_stream_cap(): i32 { return i32(streamCapacity()); }

/** Bytes the stream can hold without growing linear memory (from the stream address to the end
 *  of the current pages): a host sizes its chunks to this to keep the instance at its pages. */
export function kernel_stream_room(): i32 {
  const p = kernel_stream_ptr();
  return p < 0 ? p : i32(streamRoom());
}

/** Creates a model from a seed. arch: 0 logreg, 1 mlp, 2 linreg. */
export function kernel_init(arch_: i32, inputs: i32, hidden: i32, outputs: i32, seed: u32): i32 {
  return initModel(arch_, inputs, hidden, outputs, seed);
}

/** Loads the `len`-byte blob the host wrote at the stream address. */
export function kernel_load(len: i32): i32 { return loadModel(len); }

/** Writes the model blob at the stream address; returns its length. */
export function kernel_export(): i32 { return exportModel(); }

/** Starts a chunked load: the blob's 24-byte header is at the stream address, `len` is the whole
 *  blob's length. Lays out the model (re-query the stream address), then expects the remaining
 *  len − 24 bytes through kernel_load_chunk. */
export function kernel_load_begin(len: i32): i32 { return loadBegin(len); }

/** The next `n` bytes of the blob being loaded, written at the stream address. */
export function kernel_load_chunk(n: i32): i32 { return loadChunk(n); }

/** Ends a chunked load (E_BAD_LENGTH if bytes are missing); the model is ready. */
export function kernel_load_end(): i32 { return loadEnd(); }

/** Writes blob bytes [off, off + len) at the stream address (clipped to the blob); returns the
 *  number written. */
export function kernel_export_part(off: i32, len: i32): i32 { return exportPart(off, len); }

/** Blob length for these dimensions (no model needed). */
export function kernel_blob_bytes(arch_: i32, inputs: i32, hidden: i32, outputs: i32): i32 {
  return blobBytes(arch_ == 1 ? 2 : 1, inputs, hidden, outputs);
}

/** Starts training: batch size, learning rate as lr·65536, seed of the stochastic rounding. */
export function kernel_train_begin(batch: i32, lrQ16: i32, seed: u32): i32 { return trainBegin(batch, lrQ16, seed); }

/** Trains on `n` samples in the stream (inputs, then labels / Q16 targets at a 4-aligned offset). */
export function kernel_train(n: i32): i32 { return runChunk(n, true); }

/** Ends training (flushes a partial mini-batch). */
export function kernel_train_end(): i32 { return trainEnd(); }

/** Resets the evaluation metrics. */
export function kernel_eval_begin(): i32 { if (!ready) return E_NOT_READY; metricsReset(); return OK; }

/** Evaluates `n` samples in the stream (same layout as kernel_train), accumulating metrics. */
export function kernel_eval(n: i32): i32 { return runChunk(n, false); }

/** Metric k since the last train/eval begin: 0 count, 1 accuracy, 2 loss, 3 MAE. */
export function kernel_metric(k: i32): f64 { return metric(k); }

/** TFLite int8 inference of n samples; outputs (n × outputs int8) follow the inputs. */
export function kernel_infer(n: i32): i32 {
  if (!ready) return E_NOT_READY;
  if (n < 0) return E_BAD_DIMS;
  if (i64(n) * i64(nInputs + nOutputs) > i64(streamCapacity())) return E_BAD_LENGTH;
  const x0 = streamBase(), o0 = x0 + usize(n * nInputs);
  for (let s = 0; s < n; s++) forward(x0 + usize(s * nInputs), o0 + usize(s * nOutputs));
  return n * nOutputs;
}

/** High-water mark of linear memory excluding the data stream (bytes from address 0). */
export function kernel_peak_memory(): i32 { return i32(peakModelBytes()); }

/** Kernel working memory: high-water mark above __heap_base (tables, model, scratch),
 *  excluding the stream and the static data of the whole module. */
export function kernel_working_memory(): i32 { return i32(peakModelBytes() - __heap_base); }

/** High-water mark including the data stream. */
export function kernel_peak_memory_total(): i32 { return i32(peakTotalBytes()); }

/** Model shape: 0 arch, 1 inputs, 2 outputs, 3 layers, 4 hidden, 5 blob bytes (−5 when no model). */
export function kernel_shape(k: i32): i32 {
  if (!ready) return E_NOT_READY;
  return k == 0 ? arch : k == 1 ? nInputs : k == 2 ? nOutputs : k == 4 ? nHidden : k == 5 ? modelBlobBytes() : nLayers;
}

/** Self-test: fixed training on built-in data; returns a digest (identical on every engine). */
export function kernel_selftest(): u32 { return selfTest(); }

// @ts-ignore: decorator
@inline function a4(x: i32): usize { return usize((x + 3) & ~3); }

// Conformance exports (bit-exactness tests against the TFLite reference arithmetic).

/** n × (x, multiplier, shift) i32 triples in the stream → n i32 results in place of x, in
 *  rounding mode `mode` (0 double, the default; 1 single). */
export function kernel_conf_mbqm(n: i32, mode: i32): i32 {
  if (mode != ROUND_DOUBLE && mode != ROUND_SINGLE) return E_BAD_PARAM;
  if (n < 0 || i64(n) * 12 > i64(streamCapacity())) return E_BAD_LENGTH;
  const p = streamBase();
  for (let i = 0; i < n; i++) {
    const q = p + usize(i * 12);
    store<i32>(q, mbqm(mode, load<i32>(q), load<i32>(q + 4), load<i32>(q + 8)));
  }
  return n;
}

/** TFLite QuantizeMultiplier(m); the shift is returned by kernel_conf_last_shift. */
export function kernel_conf_quantize_multiplier(m: f64): i32 { return quantizeMultiplier(m); }
export function kernel_conf_last_shift(): i32 { return lastShift(); }

/** Per-channel FULLY_CONNECTED over the stream: input i8[b·nIn], filter i8[nOut·nIn],
 *  bias/mult/shift i32[nOut] (each section 4-aligned), output i8[b·nOut] after them. */
export function kernel_conf_fc(batches: i32, nIn: i32, nOut: i32, inZp: i32, outZp: i32, actMin: i32, actMax: i32, mode: i32): i32 {
  if (mode != ROUND_DOUBLE && mode != ROUND_SINGLE) return E_BAD_PARAM;
  if (batches < 1 || nIn < 1 || nOut < 1 || nIn > 4096 || nOut > 4096 || batches > 4096) return E_BAD_DIMS;
  const p = streamBase();
  const filter = p + a4(batches * nIn), bias = filter + a4(nIn * nOut), mult = bias + usize(4 * nOut),
    shift = mult + usize(4 * nOut), out = shift + usize(4 * nOut);
  if (out + usize(batches * nOut) > p + streamCapacity()) return E_BAD_LENGTH;
  fullyConnectedPerChannel(batches, nIn, nOut, inZp, outZp, actMin, actMax, p, filter, bias, mult, shift, out, mode);
  return batches * nOut;
}

// Browser side of the TFLite harness: loads a .tflite with @tensorflow/tfjs-tflite and runs
// int8 samples through it one at a time, writing them straight into the model's int8 input
// buffer (tfjs tensors have no int8 dtype). Returns the int8 outputs to Node.
/* global tflite */
// trailing slash: the loader appends file names. `?wasm=baseline` makes the server answer the
// loader's request for the SIMD build with the baseline (MVP) build, so both can be checked.
tflite.setWasmPath(new URLSearchParams(location.search).get('wasm') === 'baseline' ? '/pkg/tfjs-tflite/wasm-baseline/' : '/pkg/tfjs-tflite/wasm/');

/** Runs `n` samples of `/data/<inputs>` (int8, n × inputs) through `/data/<model>`.
 *  Resolves to { outputs: number[] (n × outputs int8), inputShape, outputShape, types, kernels }. */
window.runTflite = async function runTflite(model, inputs, n) {
  const [m, x] = await Promise.all([
    fetch('/data/' + model).then((r) => r.arrayBuffer()),
    fetch('/data/' + inputs).then((r) => r.arrayBuffer()),
  ]);
  const runner = (await tflite.loadTFLiteModel(m, { numThreads: 1 })).modelRunner;
  const input = runner.getInputs()[0], output = runner.getOutputs()[0];
  const inBuf = input.data(), dim = inBuf.length, xs = new Int8Array(x);
  if (xs.length !== n * dim) throw new Error('inputs hold ' + xs.length + ' bytes, need ' + n * dim);
  const outs = new Int8Array(n * output.data().length);
  for (let s = 0; s < n; s++) {
    inBuf.set(xs.subarray(s * dim, (s + 1) * dim));
    if (!runner.infer()) throw new Error('inference failed at sample ' + s);
    const o = output.data(); // re-read: the view can move when wasm memory grows
    outs.set(o, s * o.length);
  }
  // which kernel ran each node (a builtin op's name, or the delegate's, e.g. TfLiteXNNPackDelegate):
  // one profiled inference on a second instance of the model
  const probe = (await tflite.loadTFLiteModel(m, { numThreads: 1, enableProfiling: true })).modelRunner;
  probe.getInputs()[0].data().set(xs.subarray(0, dim));
  probe.infer();
  const kernels = [...new Set(probe.getProfilingResults().map((p) => p.nodeType))];
  return { outputs: Array.from(outs), inputShape: input.shape, outputShape: output.shape, types: [input.dataType, output.dataType], kernels };
};
window.harnessReady = true;

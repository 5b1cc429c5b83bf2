// Float32 reference trainer in plain TypeScript: the same models, loss, mini-batch SGD,
// shuffling and hyper-parameters as the int8 kernel, for accuracy comparisons (issue 3 §7)
// and throughput baselines. Inputs are pixels / 255.
import { permutation, type Dataset, type TrainOptions } from '../boards/firmware/kernel.js';

export { permutation };

/** A float32 dense network: [] hidden sizes = logistic regression; [h] = one ReLU layer. */
export class FloatNet {
  readonly dims: number[];
  readonly w: Float32Array[];
  readonly b: Float32Array[];
  private readonly act: Float32Array[];
  private readonly grad: Float32Array[];
  private readonly gw: Float32Array[];
  private readonly gb: Float32Array[];

  constructor(inputs: number, hidden: number[], outputs: number, seed: number) {
    this.dims = [inputs, ...hidden, outputs];
    let s = seed >>> 0 || 1;
    const rnd = () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 2 ** 32; };
    this.w = []; this.b = []; this.gw = []; this.gb = [];
    for (let l = 0; l + 1 < this.dims.length; l++) {
      const [i, o] = [this.dims[l], this.dims[l + 1]];
      const bound = hidden.length ? Math.sqrt(6 / i) : 0.01; // same init rule as the kernel
      this.w.push(Float32Array.from({ length: i * o }, () => (2 * rnd() - 1) * bound));
      this.b.push(new Float32Array(o));
      this.gw.push(new Float32Array(i * o));
      this.gb.push(new Float32Array(o));
    }
    this.act = this.dims.map((d) => new Float32Array(d));
    this.grad = this.dims.map((d) => new Float32Array(d));
  }

  private forward(x: Uint8Array, off: number): Float32Array {
    const a0 = this.act[0];
    for (let i = 0; i < this.dims[0]; i++) a0[i] = x[off + i] / 255;
    for (let l = 0; l < this.w.length; l++) {
      const [ni, no] = [this.dims[l], this.dims[l + 1]], w = this.w[l], a = this.act[l], z = this.act[l + 1];
      for (let j = 0; j < no; j++) {
        let s = this.b[l][j];
        for (let i = 0; i < ni; i++) s += w[j * ni + i] * a[i];
        z[j] = l < this.w.length - 1 ? Math.max(0, s) : s;
      }
    }
    // softmax in place
    const z = this.act[this.w.length];
    let m = -Infinity, sum = 0;
    for (const v of z) m = Math.max(m, v);
    for (let j = 0; j < z.length; j++) { z[j] = Math.exp(z[j] - m); sum += z[j]; }
    for (let j = 0; j < z.length; j++) z[j] /= sum;
    return z;
  }

  /** Mini-batch SGD with softmax cross-entropy. Returns the last epoch's mean loss. */
  train(d: Dataset, o: TrainOptions): number {
    let loss = 0;
    const L = this.w.length;
    for (let e = 0; e < o.epochs; e++) {
      const seed = (Math.imul(o.seed >>> 0, 0x9e3779b1) + e) >>> 0;
      const order = permutation(d.n, seed);
      loss = 0;
      for (let s0 = 0; s0 < d.n; s0 += o.batch) {
        const n = Math.min(o.batch, d.n - s0);
        for (let l = 0; l < L; l++) { this.gw[l].fill(0); this.gb[l].fill(0); }
        for (let s = s0; s < s0 + n; s++) {
          const r = order[s];
          const p = this.forward(d.x, r * d.dim);
          loss -= Math.log(Math.max(p[d.y[r]], 1e-30));
          const g = this.grad[L];
          for (let j = 0; j < p.length; j++) g[j] = p[j] - (j === d.y[r] ? 1 : 0);
          for (let l = L - 1; l >= 0; l--) {
            const [ni, no] = [this.dims[l], this.dims[l + 1]], a = this.act[l], gl = this.grad[l + 1], w = this.w[l];
            const gw = this.gw[l], gb = this.gb[l];
            for (let j = 0; j < no; j++) {
              const gj = gl[j];
              gb[j] += gj;
              if (gj !== 0) for (let i = 0; i < ni; i++) gw[j * ni + i] += gj * a[i];
            }
            if (l > 0) {
              const gp = this.grad[l];
              for (let i = 0; i < ni; i++) {
                let s2 = 0;
                if (a[i] > 0) for (let j = 0; j < no; j++) s2 += gl[j] * w[j * ni + i];
                gp[i] = s2;
              }
            }
          }
        }
        const k = o.lr / n;
        for (let l = 0; l < L; l++) {
          const w = this.w[l], gw = this.gw[l], b = this.b[l], gb = this.gb[l];
          for (let i = 0; i < w.length; i++) w[i] -= k * gw[i];
          for (let j = 0; j < b.length; j++) b[j] -= k * gb[j];
        }
      }
      loss /= d.n;
    }
    return loss;
  }

  /** Accuracy of argmax predictions. */
  accuracy(d: Dataset): number {
    let ok = 0;
    for (let r = 0; r < d.n; r++) {
      const p = this.forward(d.x, r * d.dim);
      let best = 0;
      for (let j = 1; j < p.length; j++) if (p[j] > p[best]) best = j;
      if (best === d.y[r]) ok++;
    }
    return ok / d.n;
  }
}

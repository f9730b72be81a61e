// The brute-force tier on the GPU (SPEC §4): the structure's own brute force over all p² inputs and p logits
// (shaders/brute_force_bound.wgsl) with a proven float32 allowance, so the certified ε̄ holds in real arithmetic,
// and the model's forward pass on the GPU for the measured ε and accuracy.
import { type Gpu, withOwner } from '../gpu/device.js';
import { type KernelRegistry, submit } from '../gpu/kernels.js';
import { createTensor, readF32, upload } from '../gpu/tensor.js';
import type { MlpStructure } from '../interp/structure.js';
import type { ModelConfig } from '../model/config.js';
import { GpuModel } from '../model/gpu_model.js';
import { allPairs } from '../model/inputs.js';
import { type Params, flatten, paramLayout } from '../model/params.js';
import type { F64 } from '../ops/cpu/types.js';
import { bruteForceBound } from '../ops/gpu/brute_force_bound.js';
import { F32_MIN_NORMAL, U32_WGSL } from './gpu.js';
import { U64, gamma } from './integrand.js';

/** x in float32, values below the least normal f32 flushed to zero here (WGSL may flush them anyway): |x32 − x| ≤ 2^-24|x| + 2^-126. */
function f32Of(x: ArrayLike<number>): Float32Array {
  const t = Float32Array.from(x);
  for (let i = 0; i < t.length; i++) if (Math.abs(t[i]) < F32_MIN_NORMAL) t[i] = 0;
  return t;
}

/** W_Lᵀ's first p rows [p, ldw] in float32 (f32Of), each padded with zeros to ldw = n rounded up to 4 (the kernel reads vec4). */
function logitsT(s: MlpStructure): { WT: Float32Array; ldw: number } {
  const { p, d_mlp: n, d_vocab_out: V } = s;
  const ldw = Math.ceil(n / 4) * 4;
  const WT = new Float32Array(p * ldw);
  for (let c = 0; c < p; c++) for (let i = 0; i < n; i++) WT[c * ldw + i] = s.W_L[i * V + c];
  return { WT: f32Of(WT), ldw };
}

/** The most roundings one term of the kernel's M_c or S_c passes: its product, ⌈n/4⌉ adds in its vec4 lane, 2 across lanes. */
const kernelRoundings = (n: number) => Math.ceil(n / 4) + 3;

/**
 * Per input, ε̄(a, b) ≥ max_{c<p} |M_s(a, b, c) − M̂(a, b, c)| in real arithmetic, where M_s = Σ_i ReLU(U_i(a) + V_i(b) + c_i)·W_L[i, c]
 * for the structure s as given (float64 values) and M̂ is mTable [p (a − b), p (c − a − b)]; the caller adds the
 * structure's own rounding dM. Proof, with u = 2^-23 (WGSL f32 ops err by one ulp), η = 2^-126 (a flushed subnormal):
 * - inputs: |x32 − x| ≤ u|x| + η;  h32 = fl(fl(U32 + V32) + c32) is within e_i = 4u·H_i + 6η of h, H_i = max|U_i| + max|V_i| + |c_i|,
 *   and post32 = max(0, h32) within e_i of ReLU(h) (1-Lipschitz), post32 ≤ H_i + e_i;
 * - m32 = Σ_i post32_i·W32_i (four interleaved sums, fused or not: ≤ N = ⌈n/4⌉ + 3 roundings a term) is within
 *   γ_N·S + (4n + 8)η of Σ post32·W32, S = Σ_i post32_i|W32_i| (each of the ≤ 2n + 8 operations may flush, η at most twice over);
 * - |Σ post32·W32 − M_s| ≤ Σ_i e_i|W32_i| + ReLU(h_i)|W32_i − W_i| ≤ 2u·S + A, A = (1 + u)·Σ_i e_i(|W_i|(1 + 2u) + η) + 2η·Σ_i H_i;
 * - the kernel's S is a sum of non-negative products: S ≤ (s32 + (4n + 8)η)/(1 − γ_N); its E = fl|m32 − M̂32| gives
 *   |m32 − M̂32| ≤ (E + η)/(1 − u), and |M̂32 − M̂| ≤ u·max|M̂| + η.
 * So ε̄ = (E + η)/(1 − u) + (γ_N + 2u)(s32 + (4n + 8)η)/(1 − γ_N) + max_c A_c + (4n + 8)η + u·max|M̂| + η, its float64
 * evaluation (a few dozen roundings of non-negative terms) covered by the factor 1 + 2^-40. Inputs large enough that the
 * kernel could overflow f32 (or non-finite) give ε̄ = ∞: nothing is certified.
 */
export async function structureBruteForceGpu(g: Gpu, k: KernelRegistry, s: MlpStructure, mTable: F64): Promise<F64> {
  const { p, d_mlp: n, d_vocab_out: V } = s;
  const u = U32_WGSL;
  const eta = F32_MIN_NORMAL;
  const H = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let mu = 0, mv = 0;
    for (let x = 0; x < p; x++) { mu = Math.max(mu, Math.abs(s.U[x * n + i])); mv = Math.max(mv, Math.abs(s.V[x * n + i])); }
    H[i] = mu + mv + Math.abs(s.c[i]);
  }
  const e = H.map((h) => 4 * u * h + 6 * eta);
  let A = 0;
  let big = 0; // far above every |value| the kernel forms (and NaN if any input is): below 1e37 no f32 overflows
  for (let c = 0; c < p; c++) {
    let a = 0;
    let b = 0;
    for (let i = 0; i < n; i++) {
      const w = Math.abs(s.W_L[i * V + c]);
      a += e[i] * (w * (1 + 2 * u) + eta);
      b += 2 * (H[i] + 1) * (w + 1);
    }
    A = Math.max(A, a);
    big = Math.max(big, b);
  }
  A = (A * (1 + u) + 2 * eta * H.reduce((t, h) => t + h, 0)) * (1 + gamma(n + 4, U64));
  let mMax = 0;
  for (const x of mTable) mMax = Math.max(mMax, Math.abs(x));
  // WGSL's max may drop a NaN, so an overflowing kernel could return a finite, wrong figure: refuse instead (ε̄ = ∞).
  if (!(big + mMax < 1e37)) return new Float64Array(p * p).fill(Infinity);

  const r = await withOwner(g, async (o) => {
    const t = (x: ArrayLike<number>, label: string) => createTensor(o, 'f32', [x.length], f32Of(x), label);
    const out = createTensor(o, 'f32', [2 * p * p], undefined, 'brute_force_out');
    const { WT, ldw } = logitsT(s);
    submit(g, [bruteForceBound(k.ownedBy(o), t(s.U, 'U'), t(s.V, 'V'), t(s.c, 'c'), t(WT, 'W_L^T'), t(mTable, 'Mhat'), p, n, ldw, { a_sa: 1, a_sb: 0, b_sa: 0, b_sb: 1 }, out)]);
    return readF32(g, out);
  });
  const gN = gamma(kernelRoundings(n), u);
  const flush = (4 * n + 8) * eta;
  const rest = A + flush + u * mMax + eta;
  return Float64Array.from({ length: p * p }, (_, j) => {
    const b = ((r[2 * j] + eta) / (1 - u) + (gN + 2 * u) * (r[2 * j + 1] + flush) / (1 - gN) + rest) * (1 + 2 ** -40);
    return Number.isFinite(b) ? b : Infinity;
  });
}

/** The model's forward pass on all p² inputs on the GPU (float32): per input the measured max_c |M − M̂| and correctness. */
export interface MeasuredGpu {
  /** Per input: max_c |hook_post·W_L − M̂| as computed in float32 (no allowance: a measurement, not a bound). */
  eps: F64;
  /** Per input: the argmax over c < p is a + b (the forward pass's own test). */
  correct: Uint8Array;
  accuracy: number;
}

/** The forward pass (src/model/gpu_model.ts) and the measurement in one submission; W_L from the structure s. */
export async function measuredGpu(g: Gpu, k: KernelRegistry, cfg: ModelConfig, params: Params, s: MlpStructure, mTable: F64): Promise<MeasuredGpu> {
  const { p, d_mlp: n } = s;
  const layout = paramLayout(cfg);
  const model = new GpuModel(g, k, cfg, layout, allPairs(cfg));
  const { r, correct } = await withOwner(g, async (o) => {
    try {
      upload(g, model.params, flatten(layout, params));
      const zero = createTensor(o, 'f32', [n], undefined, 'zero');
      const out = createTensor(o, 'f32', [2 * p * p], undefined, 'measured_out');
      const { WT, ldw } = logitsT(s);
      const W = createTensor(o, 'f32', [WT.length], WT, 'W_L^T');
      const M = createTensor(o, 'f32', [p * p], mTable, 'Mhat');
      submit(g, [...model.forward(), bruteForceBound(k.ownedBy(o), model.outputs.hook_post, zero, zero, W, M, p, n, ldw, { a_sa: p, a_sb: 1, b_sa: 0, b_sb: 0 }, out)]);
      return { r: await readF32(g, out), correct: Uint8Array.from(await readF32(g, model.outputs.correct), (x) => (x > 0.5 ? 1 : 0)) };
    } finally {
      model.dispose();
    }
  });
  return {
    eps: Float64Array.from({ length: p * p }, (_, j) => r[2 * j]),
    correct,
    accuracy: correct.reduce((a, x) => a + x, 0) / (p * p),
  };
}

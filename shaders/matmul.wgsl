// C[t] = alpha·op(A[t])·op(B[t]) + bias (+ C[t] when ACCUMULATE), t = workgroup z, C[t] at t·strideC (the
// gate likewise): see src/ops/cpu/matmul.ts.
// Register blocking: each invocation computes a TM×TN block of C in registers, with no workgroup memory
// and no barriers. On lavapipe (shaders run on CPU threads, one SIMD lane per invocation) barriers are
// expensive and every divergent load is a gather, so the figure of merit is loads per multiply-add:
// TM + TN loads feed TM·TN of them (8×16 measured best; 16×16 spills and collapses). Rows and columns
// are interleaved across the workgroup (invocation x takes columns x, x + WGX, ...), so neighbouring
// invocations read neighbouring elements of B and C: coalesced on real GPUs.
// VEC_B (plain B, N and B's offsets multiples of 4): B is read as vec4 through a second binding of the same
// buffer, an invocation's columns in interleaved groups of 4; one vec4 load per lane in place of four
// gathers measured 20–30 % faster on lavapipe. VEC_A likewise for Aᵀ stored [K, M] with M a multiple of 4.
// Out-of-range rows and columns are clamped for loading (their results are never stored), so the inner
// loop has no branches. TM, TN ≤ MAX_T (fixed-size arrays; loops over TM, TN unroll once specialised).
struct Params { M: u32, N: u32, K: u32, strideA: u32, strideB: u32, strideC: u32, biasStride: u32, alpha: f32 }

override TRANS_A: bool = false;
override TRANS_B: bool = false;
override HAS_BIAS: bool = false;
override ACCUMULATE: bool = false;
// RELU_GATE: C ⊙= 1[gate > 0], ReLU's derivative at gate (0 at 0, as PyTorch): dhook_pre straight from the
// product, saving the activation backward's own pass.
override RELU_GATE: bool = false;
override VEC_A: bool = false;
override VEC_B: bool = false;
override TM: u32 = 8u;
override TN: u32 = 16u;
override WGX: u32 = 8u;
override WGY: u32 = 8u;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> c: array<f32>;
@group(0) @binding(5) var<storage, read> b4: array<vec4<f32>>;
@group(0) @binding(6) var<storage, read> a4: array<vec4<f32>>;
@group(0) @binding(7) var<storage, read> gate: array<f32>;

const MAX_T = 16u;

@compute @workgroup_size(WGX, WGY, 1)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let M = params.M;
  let N = params.N;
  let K = params.K;
  let t = wid.z;
  let baseA = t * params.strideA;
  let baseB = t * params.strideB;
  // Element offsets of each row of op(A) and column of op(B) at k = 0; k then advances by aStep, bStep.
  var rowOf: array<u32, MAX_T>;
  var colOf: array<u32, MAX_T>;
  var aOff: array<u32, MAX_T>;
  var bOff: array<u32, MAX_T>;
  for (var i = 0u; i < TM; i++) {
    var r: u32;
    if (VEC_A) { r = (wid.y * WGY * (TM / 4u) + (i / 4u) * WGY + lid.y) * 4u + i % 4u; } else { r = wid.y * WGY * TM + i * WGY + lid.y; }
    rowOf[i] = r;
    let rc = min(r, M - 1u);
    if (VEC_A) { aOff[i] = (baseA + min(r, M - 4u)) / 4u; } else if (TRANS_A) { aOff[i] = baseA + rc; } else { aOff[i] = baseA + rc * K; }
  }
  for (var j = 0u; j < TN; j++) {
    var q: u32;
    if (VEC_B) { q = (wid.x * WGX * (TN / 4u) + (j / 4u) * WGX + lid.x) * 4u + j % 4u; } else { q = wid.x * WGX * TN + j * WGX + lid.x; }
    colOf[j] = q;
    let qc = min(q, N - 1u);
    if (VEC_B) { bOff[j] = (baseB + min(q, N - 4u)) / 4u; } else if (TRANS_B) { bOff[j] = baseB + qc * K; } else { bOff[j] = baseB + qc; }
  }
  var aStep = 1u;
  if (TRANS_A) { aStep = M; }
  if (VEC_A) { aStep = M / 4u; }
  var bStep = N;
  if (TRANS_B) { bStep = 1u; }
  if (VEC_B) { bStep = N / 4u; }
  var acc: array<f32, MAX_T * MAX_T>;
  for (var i = 0u; i < TM * MAX_T; i++) { acc[i] = 0.0; }
  var ka = 0u;
  var kb = 0u;
  for (var k = 0u; k < K; k++) {
    var av: array<f32, MAX_T>;
    var bv: array<f32, MAX_T>;
    if (VEC_A) {
      for (var i = 0u; i < TM; i += 4u) {
        let v = a4[aOff[i] + ka];
        av[i] = v.x;
        av[i + 1u] = v.y;
        av[i + 2u] = v.z;
        av[i + 3u] = v.w;
      }
    } else {
      for (var i = 0u; i < TM; i++) { av[i] = a[aOff[i] + ka]; }
    }
    if (VEC_B) {
      for (var j = 0u; j < TN; j += 4u) {
        let v = b4[bOff[j] + kb];
        bv[j] = v.x;
        bv[j + 1u] = v.y;
        bv[j + 2u] = v.z;
        bv[j + 3u] = v.w;
      }
    } else {
      for (var j = 0u; j < TN; j++) { bv[j] = b[bOff[j] + kb]; }
    }
    for (var i = 0u; i < TM; i++) {
      for (var j = 0u; j < TN; j++) { acc[i * MAX_T + j] = fma(av[i], bv[j], acc[i * MAX_T + j]); }
    }
    ka += aStep;
    kb += bStep;
  }
  for (var i = 0u; i < TM; i++) {
    let row = rowOf[i];
    if (row >= M) { break; }
    for (var j = 0u; j < TN; j++) {
      let col = colOf[j];
      if (col >= N) { break; }
      let o = t * params.strideC + row * N + col;
      var v = params.alpha * acc[i * MAX_T + j];
      if (HAS_BIAS) { v += bias[t * params.biasStride + col]; }
      if (ACCUMULATE) { v += c[o]; }
      if (RELU_GATE) { v = select(0.0, v, gate[o] > 0.0); }
      c[o] = v;
    }
  }
}

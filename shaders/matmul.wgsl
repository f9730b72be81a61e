// C[t] = alpha·op(A[t])·op(B[t]) + bias (+ C[t] when ACCUMULATE), t = workgroup z (split K: below),
// C[t] at t·strideC (the gate likewise): see src/ops/cpu/matmul.ts.
// Register blocking: each invocation computes a TM×TN block of C in registers, with no workgroup memory
// and no barriers. On lavapipe (shaders run on CPU threads, one SIMD lane per invocation) barriers are
// expensive and every load whose address is not a constant runs lane by lane (a bounds check and a scalar
// load per lane: about 0.5 ns a float32 with both cores, npm run bench --only ceiling), so the figure of
// merit is loads per multiply-add: TM + TN loads feed TM·TN of them (8×16 measured best for the plain
// loop, 16×8 with SHUFFLE_A: src/ops/gpu/matmul.ts; 16×16 spills and collapses). Rows and columns
// are interleaved across the workgroup (invocation x takes columns x, x + WGX, ...), so neighbouring
// invocations read neighbouring elements of B and C: coalesced on real GPUs.
// VEC_B (plain B, N and B's offsets multiples of 4): B is read as vec4 through a second binding of the same
// buffer, an invocation's columns in interleaved groups of 4; one vec4 load per lane in place of four
// scalar ones measured 20–30 % faster on lavapipe. VEC_A likewise for Aᵀ stored [K, M] with M a multiple of 4.
// SHUFFLE_A (subgroups of exactly one workgroup row, WGX lanes in lid.x order: lavapipe's 8-wide SIMD): an
// invocation's rows are the same for its whole subgroup, so each lane loads A for a different k (one load
// feeds WGX steps of k) and the steps take A from their lanes by subgroupShuffle: WGX times fewer A loads,
// 1.3–1.5× on the model's shapes on lavapipe. A whole block of WGX steps goes two steps at a time, each row's
// accumulators taking both before the next row (accumulateRow2): lavapipe stores every value a loop carries
// through the execution mask once an iteration, so this halves those stores (3.5 instructions a multiply-add
// in place of five): 0.88–0.91× the time on the fast path's three products. Four or eight steps at a time
// were slower (1.3–1.4×). All these loops accumulate k in the same order: same results.
// Split K (params.splits > 1): workgroup z is t·splits + s, and takes k in [s·chunk, min(K, (s+1)·chunk));
// its partial product goes to C at z·strideC (a [batch, splits, M, N] buffer that src/ops/gpu/matmul.ts sums
// with column_sum), so a product with few output tiles and a long K still fills the device. splits = 1 is
// the whole K, in the same order.
// VEC_C (with VEC_B, and C's batch stride a multiple of 4): each group of four contiguous columns is stored
// (and accumulated, and gated) as one vec4 through c4 and side4, vec4 views of C and the gate (c then binds
// an unused buffer). Lavapipe stores lane by lane: dpre (K = 59, gated) 12–18 % faster alone.
// Out-of-range rows and columns are clamped for loading (their results are never stored), so the inner
// loop has no branches. TM, TN ≤ MAX_T (fixed-size arrays; loops over TM, TN unroll once specialised).
enable subgroups;
// The shuffle loop runs on a subgroupAll result, the same for the whole subgroup, which WGSL's uniformity
// analysis (workgroup-wide) cannot see.
diagnostic(off, subgroup_uniformity);

struct Params { M: u32, N: u32, K: u32, strideA: u32, strideB: u32, strideC: u32, biasStride: u32, alpha: f32, splits: u32, chunk: u32 }

override TRANS_A: bool = false;
override TRANS_B: bool = false;
override HAS_BIAS: bool = false;
override ACCUMULATE: bool = false;
// HAS_BIAS: side is the bias (batch t's row at t·biasStride). RELU_GATE: side is the gate, laid out as C, and
// C ⊙= 1[gate > 0], ReLU's derivative at gate (0 at 0, as PyTorch): dhook_pre straight from the
// product, saving the activation backward's own pass.
override RELU_GATE: bool = false;
override VEC_A: bool = false;
override VEC_B: bool = false;
override SHUFFLE_A: bool = false;
override VEC_C: bool = false;
override TM: u32 = 8u;
override TN: u32 = 16u;
override WGX: u32 = 8u;
override WGY: u32 = 8u;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read> side: array<f32>; // the bias or the gate: one binding keeps the kernel within WebGPU's default 8 storage buffers
@group(0) @binding(4) var<storage, read_write> c: array<f32>;
@group(0) @binding(5) var<storage, read> b4: array<vec4<f32>>;
@group(0) @binding(6) var<storage, read> a4: array<vec4<f32>>;
@group(0) @binding(7) var<storage, read> side4: array<vec4<f32>>;
@group(0) @binding(8) var<storage, read_write> c4: array<vec4<f32>>;

const MAX_T = 16u;
const MAX_ACC = 256u; // MAX_T², spelled out for wgsl_reflect

var<private> acc: array<f32, MAX_ACC>;

fn accumulate(av: array<f32, MAX_T>, bv: array<f32, MAX_T>) {
  for (var i = 0u; i < TM; i++) {
    for (var j = 0u; j < TN; j++) { acc[i * MAX_T + j] = fma(av[i], bv[j], acc[i * MAX_T + j]); }
  }
}

/**
 * Row i's accumulators (if i < TM) take steps kk and kk + 1 of the shuffled block, in the order two calls of
 * accumulate would. The caller writes out one call per row (MAX_T of them): NIR does not unroll a loop over
 * the rows with this body, and the block would then live in indexed memory.
 */
fn accumulateRow2(i: u32, mine: array<f32, MAX_T>, kk: u32, b0: array<f32, MAX_T>, b1: array<f32, MAX_T>) {
  if (i >= TM) { return; }
  let a0 = subgroupShuffle(mine[i], kk);
  let a1 = subgroupShuffle(mine[i], kk + 1u);
  var s: array<f32, MAX_T>;
  for (var j = 0u; j < TN; j++) { s[j] = acc[i * MAX_T + j]; }
  for (var j = 0u; j < TN; j++) { s[j] = fma(a0, b0[j], s[j]); }
  for (var j = 0u; j < TN; j++) { s[j] = fma(a1, b1[j], s[j]); }
  for (var j = 0u; j < TN; j++) { acc[i * MAX_T + j] = s[j]; }
}

/** op(B) at one k: bOff[j] + kb for each column (vec4 units with VEC_B). */
fn loadB(bOff: array<u32, MAX_T>, kb: u32) -> array<f32, MAX_T> {
  var bv: array<f32, MAX_T>;
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
  return bv;
}

/** op(A) at one k: aOff[i] + ka for each row (vec4 units with VEC_A). */
fn loadA(aOff: array<u32, MAX_T>, ka: u32) -> array<f32, MAX_T> {
  var av: array<f32, MAX_T>;
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
  return av;
}

@compute @workgroup_size(WGX, WGY, 1)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>,
        @builtin(subgroup_size) lanes: u32, @builtin(subgroup_invocation_id) lane: u32) {
  let M = params.M;
  let N = params.N;
  let K = params.K;
  let t = wid.z / params.splits;
  let kBegin = (wid.z % params.splits) * params.chunk;
  let kEnd = min(K, kBegin + params.chunk);
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
  var ka = kBegin * aStep;
  var kb = kBegin * bStep;
  if (SHUFFLE_A) {
    // Chosen only where src/gpu/device.ts found this layout; a subgroup that does not have it anyway
    // (one full workgroup row, lanes in lid.x order) writes NaN rather than a wrong product.
    let firstRow = subgroupBroadcastFirst(lid.y);
    let lanesActive = subgroupAdd(1u);
    let rowSubgroup = subgroupAll(lanes == WGX && lanesActive == WGX && lane == lid.x && firstRow == lid.y);
    if (!rowSubgroup) {
      let nan = bitcast<f32>(0x7fc00000u | (params.M & 0u)); // built at run time: a constant NaN is not WGSL
      for (var i = 0u; i < MAX_ACC; i++) { acc[i] = nan; }
    }
    for (var k0 = kBegin; k0 < select(0u, kEnd, rowSubgroup); k0 += WGX) {
      let kl = min(k0 + lane, kEnd - 1u);
      var mine: array<f32, MAX_T>; // A[row i, k0 + lane]
      for (var i = 0u; i < TM; i++) { mine[i] = a[aOff[i] + kl * aStep]; }
      if (kEnd - k0 >= WGX && WGX % 2u == 0u) {
        for (var kk = 0u; kk < WGX; kk += 2u) {
          let b0 = loadB(bOff, kb);
          let b1 = loadB(bOff, kb + bStep);
          kb += 2u * bStep;
          accumulateRow2(0u, mine, kk, b0, b1); accumulateRow2(1u, mine, kk, b0, b1);
          accumulateRow2(2u, mine, kk, b0, b1); accumulateRow2(3u, mine, kk, b0, b1);
          accumulateRow2(4u, mine, kk, b0, b1); accumulateRow2(5u, mine, kk, b0, b1);
          accumulateRow2(6u, mine, kk, b0, b1); accumulateRow2(7u, mine, kk, b0, b1);
          accumulateRow2(8u, mine, kk, b0, b1); accumulateRow2(9u, mine, kk, b0, b1);
          accumulateRow2(10u, mine, kk, b0, b1); accumulateRow2(11u, mine, kk, b0, b1);
          accumulateRow2(12u, mine, kk, b0, b1); accumulateRow2(13u, mine, kk, b0, b1);
          accumulateRow2(14u, mine, kk, b0, b1); accumulateRow2(15u, mine, kk, b0, b1);
        }
      } else {
        for (var kk = 0u; kk < min(WGX, kEnd - k0); kk++) {
          var av: array<f32, MAX_T>;
          for (var i = 0u; i < TM; i++) { av[i] = subgroupShuffle(mine[i], kk); }
          accumulate(av, loadB(bOff, kb));
          kb += bStep;
        }
      }
    }
  } else {
    for (var k = kBegin; k < kEnd; k++) {
      accumulate(loadA(aOff, ka), loadB(bOff, kb));
      ka += aStep;
      kb += bStep;
    }
  }
  for (var i = 0u; i < TM; i++) {
    let row = rowOf[i];
    if (row >= M) { break; }
    if (VEC_C) {
      for (var j = 0u; j < TN; j += 4u) {
        let col = colOf[j]; // and the next three: VEC_B's groups of four
        if (col >= N) { break; }
        let o = (wid.z * params.strideC + row * N + col) / 4u;
        let r = i * MAX_T + j;
        var v = params.alpha * vec4<f32>(acc[r], acc[r + 1u], acc[r + 2u], acc[r + 3u]);
        if (HAS_BIAS) {
          let bc = t * params.biasStride + col;
          v += vec4<f32>(side[bc], side[bc + 1u], side[bc + 2u], side[bc + 3u]);
        }
        if (ACCUMULATE) { v += c4[o]; }
        if (RELU_GATE) { v = select(vec4<f32>(0.0), v, side4[o] > vec4<f32>(0.0)); }
        c4[o] = v;
      }
      continue;
    }
    for (var j = 0u; j < TN; j++) {
      let col = colOf[j];
      if (col >= N) { break; }
      let o = wid.z * params.strideC + row * N + col;
      var v = params.alpha * acc[i * MAX_T + j];
      if (HAS_BIAS) { v += side[t * params.biasStride + col]; }
      if (ACCUMULATE) { v += c[o]; }
      if (RELU_GATE) { v = select(0.0, v, side[o] > 0.0); }
      c[o] = v;
    }
  }
}

// C[t] = alpha·op(A[t])·op(B[t]) + bias (+ C[t] when ACCUMULATE), t = workgroup z: see src/ops/cpu/matmul.ts.
// Register blocking: each invocation computes a 4×4 block of C in registers, with no workgroup memory
// and no barriers. On lavapipe (shaders on CPU threads) barriers are expensive and this wins; on real
// GPUs neighbouring invocations share A rows and B columns through the cache.
// Out-of-range rows and columns are clamped for loading (their results are never stored), so the inner
// loop has no branches.
struct Params { M: u32, N: u32, K: u32, strideA: u32, strideB: u32, biasStride: u32, alpha: f32 }

override TRANS_A: bool = false;
override TRANS_B: bool = false;
override HAS_BIAS: bool = false;
override ACCUMULATE: bool = false;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> c: array<f32>;

fn loadA(base: u32, i: u32, k: u32) -> f32 {
  if (TRANS_A) { return a[base + k * params.M + i]; }
  return a[base + i * params.K + k];
}

fn loadB(base: u32, k: u32, j: u32) -> f32 {
  if (TRANS_B) { return b[base + j * params.K + k]; }
  return b[base + k * params.N + j];
}

@compute @workgroup_size(8, 8, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let M = params.M;
  let N = params.N;
  let row0 = gid.y * 4u;
  let col0 = gid.x * 4u;
  if (row0 >= M || col0 >= N) { return; }
  let t = gid.z;
  let baseA = t * params.strideA;
  let baseB = t * params.strideB;
  let r = vec4<u32>(min(row0, M - 1u), min(row0 + 1u, M - 1u), min(row0 + 2u, M - 1u), min(row0 + 3u, M - 1u));
  let q = vec4<u32>(min(col0, N - 1u), min(col0 + 1u, N - 1u), min(col0 + 2u, N - 1u), min(col0 + 3u, N - 1u));
  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
  for (var k = 0u; k < params.K; k++) {
    let bv = vec4<f32>(loadB(baseB, k, q.x), loadB(baseB, k, q.y), loadB(baseB, k, q.z), loadB(baseB, k, q.w));
    acc0 += loadA(baseA, r.x, k) * bv;
    acc1 += loadA(baseA, r.y, k) * bv;
    acc2 += loadA(baseA, r.z, k) * bv;
    acc3 += loadA(baseA, r.w, k) * bv;
  }
  let accs = array<vec4<f32>, 4>(acc0, acc1, acc2, acc3);
  for (var i = 0u; i < 4u; i++) {
    let row = row0 + i;
    if (row >= M) { break; }
    for (var j = 0u; j < 4u; j++) {
      let col = col0 + j;
      if (col >= N) { break; }
      let o = (t * M + row) * N + col;
      var v = params.alpha * accs[i][j];
      if (HAS_BIAS) { v += bias[t * params.biasStride + col]; }
      if (ACCUMULATE) { v += c[o]; }
      c[o] = v;
    }
  }
}

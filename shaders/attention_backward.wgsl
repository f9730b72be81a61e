// Gradients of attention.wgsl's z with respect to q, k and v, one (example, head) per invocation.
// The softmax is recomputed from q and k (recovering it from the pattern would divide by α).
// dq is written as zero at every position but the last.
struct Params { batch: u32, n_ctx: u32, n_heads: u32, d_head: u32, alpha: f32 }

const MAX_CTX = 4u;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> dz: array<f32>;
@group(0) @binding(2) var<storage, read> q: array<f32>;
@group(0) @binding(3) var<storage, read> k: array<f32>;
@group(0) @binding(4) var<storage, read> v: array<f32>;
@group(0) @binding(5) var<storage, read> pattern: array<f32>;
@group(0) @binding(6) var<storage, read_write> dq: array<f32>;
@group(0) @binding(7) var<storage, read_write> dk: array<f32>;
@group(0) @binding(8) var<storage, read_write> dv: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let idx = gid.x;
  if (idx >= params.batch * params.n_heads) { return; }
  let b = idx / params.n_heads;
  let h = idx % params.n_heads;
  let n = params.n_ctx;
  let dh = params.d_head;
  let base = (h * params.batch + b) * n;
  let rowQ = (base + n - 1u) * dh;
  let scale = 1.0 / sqrt(f32(dh));

  var sm: array<f32, MAX_CTX>;
  var dpat: array<f32, MAX_CTX>;
  var mx = -3.4e38;
  for (var j = 0u; j < n; j++) {
    var dot = 0.0;
    var dp = 0.0;
    let w = pattern[idx * n + j];
    for (var e = 0u; e < dh; e++) {
      let r = (base + j) * dh + e;
      dot += q[rowQ + e] * k[r];
      let g = dz[idx * dh + e];
      dp += g * v[r];
      dv[r] = w * g;
    }
    sm[j] = dot * scale;
    dpat[j] = dp;
    mx = max(mx, sm[j]);
  }
  var total = 0.0;
  for (var j = 0u; j < n; j++) { sm[j] = exp(sm[j] - mx); total += sm[j]; }
  var mean = 0.0;
  for (var j = 0u; j < n; j++) { sm[j] = sm[j] / total; mean += sm[j] * dpat[j]; }
  for (var e = 0u; e < dh; e++) {
    var gq = 0.0;
    for (var j = 0u; j < n; j++) {
      let ds = params.alpha * sm[j] * (dpat[j] - mean) * scale;
      gq += ds * k[(base + j) * dh + e];
      dk[(base + j) * dh + e] = ds * q[rowQ + e];
    }
    dq[rowQ + e] = gq;
    for (var j = 0u; j + 1u < n; j++) { dq[(base + j) * dh + e] = 0.0; }
  }
}

// The last position's attention for one (example b, head h) per invocation (SPEC §1):
//   pattern[b, h, j] = α·softmax_j(q_last·k_j/√d_head) + (1 − α)·C,  z[b, h·d_head + e] = Σ_j pattern·v_j[e].
// q, k, v are [n_heads, batch·n_ctx, d_head]. n_ctx ≤ MAX_CTX.
struct Params { batch: u32, n_ctx: u32, n_heads: u32, d_head: u32, alpha: f32, constant: f32 }

const MAX_CTX = 4u;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> q: array<f32>;
@group(0) @binding(2) var<storage, read> k: array<f32>;
@group(0) @binding(3) var<storage, read> v: array<f32>;
@group(0) @binding(4) var<storage, read_write> z: array<f32>;
@group(0) @binding(5) var<storage, read_write> pattern: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let idx = gid.x;
  if (idx >= params.batch * params.n_heads) { return; }
  let b = idx / params.n_heads;
  let h = idx % params.n_heads;
  let n = params.n_ctx;
  let dh = params.d_head;
  let base = (h * params.batch + b) * n; // first row of this example in head h
  let rowQ = (base + n - 1u) * dh;
  var sm: array<f32, MAX_CTX>;
  var mx = -3.4e38;
  for (var j = 0u; j < n; j++) {
    var dot = 0.0;
    for (var e = 0u; e < dh; e++) { dot += q[rowQ + e] * k[(base + j) * dh + e]; }
    sm[j] = dot / sqrt(f32(dh));
    mx = max(mx, sm[j]);
  }
  var total = 0.0;
  for (var j = 0u; j < n; j++) { sm[j] = exp(sm[j] - mx); total += sm[j]; }
  for (var j = 0u; j < n; j++) {
    let w = params.alpha * (sm[j] / total) + (1.0 - params.alpha) * params.constant;
    sm[j] = w;
    pattern[idx * n + j] = w;
  }
  for (var e = 0u; e < dh; e++) {
    var acc = 0.0;
    for (var j = 0u; j < n; j++) { acc += sm[j] * v[(base + j) * dh + e]; }
    z[idx * dh + e] = acc;
  }
}

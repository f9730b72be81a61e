// out[v, m] = Σ_{i in starts[v] .. starts[v+1]} x[rows[i], m]: the embedding gradient, summed through
// compressed per-token row lists in a fixed order (deterministic; WGSL has no float atomics).
// One workgroup row per token v, taken from workgroup_id so the list walk is uniform across the workgroup
// (no divergent loop; the index loads are the same for every lane). VEC4 (d_model a multiple of 4): each
// invocation sums four columns through x4, a vec4 view of x: one 16-byte load per row instead of four.
// The walk takes four rows an iteration (in list order, so the sum is the same): lavapipe pays a round of
// execution-mask bookkeeping per iteration of a loop with a run-time bound.
// An ensemble's models are workgroup_id.z: model t's x and out start at t·strideX and t·strideOut; the
// index is shared.
struct Params { d_vocab: u32, d_model: u32, strideX: u32, strideOut: u32 }

override VEC4: bool = false;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> starts: array<u32>;
@group(0) @binding(2) var<storage, read> rows: array<u32>;
@group(0) @binding(3) var<storage, read> x: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;
@group(0) @binding(5) var<storage, read> x4: array<vec4<f32>>;

@compute @workgroup_size(64)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let v = wid.y;
  let n = params.d_model;
  let o = wid.z * params.strideOut + v * n;
  let tx = wid.z * params.strideX;
  if (VEC4) {
    let m4 = wid.x * 64u + lid.x;
    if (m4 >= n / 4u) { return; }
    let x0 = tx / 4u + m4;
    let n4 = n / 4u;
    let end = starts[v + 1u];
    var i = starts[v];
    var s = vec4<f32>(0.0);
    for (; i + 4u <= end; i += 4u) {
      s += x4[x0 + rows[i] * n4];
      s += x4[x0 + rows[i + 1u] * n4];
      s += x4[x0 + rows[i + 2u] * n4];
      s += x4[x0 + rows[i + 3u] * n4];
    }
    for (; i < end; i++) { s += x4[x0 + rows[i] * n4]; }
    out[o + 4u * m4] = s.x;
    out[o + 4u * m4 + 1u] = s.y;
    out[o + 4u * m4 + 2u] = s.z;
    out[o + 4u * m4 + 3u] = s.w;
  } else {
    let m = wid.x * 64u + lid.x;
    if (m >= n) { return; }
    let x0 = tx + m;
    let end = starts[v + 1u];
    var i = starts[v];
    var s = 0.0;
    for (; i + 4u <= end; i += 4u) {
      s += x[x0 + rows[i] * n];
      s += x[x0 + rows[i + 1u] * n];
      s += x[x0 + rows[i + 2u] * n];
      s += x[x0 + rows[i + 3u] * n];
    }
    for (; i < end; i++) { s += x[x0 + rows[i] * n]; }
    out[o + m] = s;
  }
}

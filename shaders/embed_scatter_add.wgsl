// out[v, m] = Σ_{i in starts[v] .. starts[v+1]} x[rows[i], m]: the embedding gradient, summed through
// compressed per-token row lists in a fixed order (deterministic; WGSL has no float atomics).
// One workgroup row per token v, taken from workgroup_id so the list walk is uniform across the workgroup
// (no divergent loop; the index loads are the same for every lane). VEC4 (d_model a multiple of 4): each
// invocation sums four columns through x4, a vec4 view of x: one 16-byte load per row instead of four.
// The walk takes four rows an iteration (in list order, so the sum is the same): lavapipe pays a round of
// execution-mask bookkeeping per iteration of a loop with a run-time bound. Both paths share the walk: the
// scalar one carries its column in a vec4's x.
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

/** Row r's columns at `col` of model `tx`'s x: four of them (VEC4), or one in x. */
fn term(tx: u32, r: u32, col: u32) -> vec4<f32> {
  let n = params.d_model;
  if (VEC4) { return x4[(tx + r * n) / 4u + col]; }
  return vec4<f32>(x[tx + r * n + col], 0.0, 0.0, 0.0);
}

@compute @workgroup_size(64)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let v = wid.y;
  let n = params.d_model;
  let col = wid.x * 64u + lid.x;
  if (col >= select(n, n / 4u, VEC4)) { return; }
  let tx = wid.z * params.strideX;
  let end = starts[v + 1u];
  var i = starts[v];
  var s = vec4<f32>(0.0);
  for (; i + 4u <= end; i += 4u) {
    s += term(tx, rows[i], col);
    s += term(tx, rows[i + 1u], col);
    s += term(tx, rows[i + 2u], col);
    s += term(tx, rows[i + 3u], col);
  }
  for (; i < end; i++) { s += term(tx, rows[i], col); }
  let o = wid.z * params.strideOut + v * n;
  if (VEC4) {
    out[o + 4u * col] = s.x;
    out[o + 4u * col + 1u] = s.y;
    out[o + 4u * col + 2u] = s.z;
    out[o + 4u * col + 3u] = s.w;
  } else {
    out[o + col] = s.x;
  }
}

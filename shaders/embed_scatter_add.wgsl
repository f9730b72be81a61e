// out[v, m] = Σ_{i in starts[v] .. starts[v+1]} x[rows[i], m]: the embedding gradient, summed through
// compressed per-token row lists in a fixed order (deterministic; WGSL has no float atomics).
struct Params { d_vocab: u32, d_model: u32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> starts: array<u32>;
@group(0) @binding(2) var<storage, read> rows: array<u32>;
@group(0) @binding(3) var<storage, read> x: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let m = gid.x;
  let v = gid.y;
  if (m >= params.d_model || v >= params.d_vocab) { return; }
  var s = 0.0;
  for (var i = starts[v]; i < starts[v + 1u]; i++) { s += x[rows[i] * params.d_model + m]; }
  out[v * params.d_model + m] = s;
}

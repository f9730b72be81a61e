// x0[r, m] = W_E[tokens[r], m] + W_pos[r mod n_ctx, m] for the flat row r = b·n_ctx + j.
struct Params { rows: u32, n_ctx: u32, d_model: u32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> tokens: array<u32>;
@group(0) @binding(2) var<storage, read> W_E: array<f32>;
@group(0) @binding(3) var<storage, read> W_pos: array<f32>;
@group(0) @binding(4) var<storage, read_write> x0: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let m = gid.x;
  let r = gid.y + gid.z * 65535u;
  if (m >= params.d_model || r >= params.rows) { return; }
  let j = r % params.n_ctx;
  x0[r * params.d_model + m] = W_E[tokens[r] * params.d_model + m] + W_pos[j * params.d_model + m];
}

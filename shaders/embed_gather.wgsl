// x0[r, m] = W_E[tokens[r], m] + W_pos[r mod n_ctx, m] for the flat row r = b·n_ctx + j.
// Consecutive invocations take consecutive columns; each workgroup walks rows r = workgroup_id.y,
// + num_workgroups.y, ... (a grid sized by Gpu.occupancy: lavapipe pays per workgroup).
// VEC4 (d_model a multiple of 4): four columns an invocation through vec4 views of the same buffers (x0 then
// binds a small unused buffer): one 16-byte load or store in place of four, which lavapipe runs lane by lane.
struct Params { rows: u32, n_ctx: u32, d_model: u32 }

override VEC4: bool = false;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> tokens: array<u32>;
@group(0) @binding(2) var<storage, read> W_E: array<f32>;
@group(0) @binding(3) var<storage, read> W_pos: array<f32>;
@group(0) @binding(4) var<storage, read_write> x0: array<f32>;
@group(0) @binding(5) var<storage, read> W_E4: array<vec4<f32>>;
@group(0) @binding(6) var<storage, read> W_pos4: array<vec4<f32>>;
@group(0) @binding(7) var<storage, read_write> x04: array<vec4<f32>>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let width = select(params.d_model, params.d_model / 4u, VEC4);
  let m = gid.x;
  if (m >= width) { return; }
  for (var r = gid.y; r < params.rows; r += groups.y) {
    let j = r % params.n_ctx;
    if (VEC4) {
      x04[r * width + m] = W_E4[tokens[r] * width + m] + W_pos4[j * width + m];
    } else {
      x0[r * width + m] = W_E[tokens[r] * width + m] + W_pos[j * width + m];
    }
  }
}

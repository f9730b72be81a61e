// out[b, c] = bias[c] + Σ_j table[(j·d_vocab + tokens[b·n_ctx + j])·width + c]: per-example sums of rows
// of per-(position, token) tables, the constant-attention fast path's hook_pre and logits (SPEC §3).
// Consecutive invocations take consecutive columns, so table rows are read coalesced; each workgroup walks
// rows with a stride of the grid's height, so the dispatch stays small (lavapipe pays per workgroup).
struct Params { batch: u32, n_ctx: u32, d_vocab: u32, width: u32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> tokens: array<u32>;
@group(0) @binding(2) var<storage, read> table: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let c = gid.x;
  if (c >= params.width) { return; }
  let bc = bias[c];
  for (var b = gid.y; b < params.batch; b += groups.y) {
    var s = bc;
    for (var j = 0u; j < params.n_ctx; j++) {
      let row = j * params.d_vocab + tokens[b * params.n_ctx + j];
      s += table[row * params.width + c];
    }
    out[b * params.width + c] = s;
  }
}

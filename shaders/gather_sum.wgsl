// out[b, c] = bias[c] + Σ_j table[(j·d_vocab + tokens[b·n_ctx + j])·width + c]: per-example sums of rows
// of per-(position, token) tables, the constant-attention fast path's hook_pre and logits (SPEC §3).
// Consecutive invocations take consecutive columns, so table rows are read coalesced; each workgroup walks
// rows b = workgroup_id.y, + num_workgroups.y, ...: few workgroups (lavapipe pays per workgroup). The token
// loads are the same for the whole workgroup (one cache line on a GPU); lavapipe still loads them lane by
// lane, as it does every load whose address is not a constant (its compiled code shows it).
// VEC4 (width a multiple of 4): each invocation takes four columns, reading the table through table4, a
// vec4 view of the same buffer: one 16-byte load per row instead of four.
// RELU_POST: also post = max(out, 0), hook_post beside hook_pre, saving the activation's own pass.
// An ensemble's models are workgroup_id.z: model t's table, bias and out (and post) start at t·strideTable,
// t·strideBias and t·strideOut; the tokens are shared.
struct Params { batch: u32, n_ctx: u32, d_vocab: u32, width: u32, strideTable: u32, strideBias: u32, strideOut: u32 }

override VEC4: bool = false;
override RELU_POST: bool = false;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> tokens: array<u32>;
@group(0) @binding(2) var<storage, read> table: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;
@group(0) @binding(5) var<storage, read> table4: array<vec4<f32>>;
@group(0) @binding(6) var<storage, read_write> post: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let w = params.width;
  let tt = wid.z * params.strideTable;
  let tb = wid.z * params.strideBias;
  let to = wid.z * params.strideOut;
  if (VEC4) {
    let c4 = wid.x * 64u + lid.x;
    let c = 4u * c4;
    if (c >= w) { return; }
    let bc = vec4<f32>(bias[tb + c], bias[tb + c + 1u], bias[tb + c + 2u], bias[tb + c + 3u]);
    for (var b = wid.y; b < params.batch; b += groups.y) {
      var s = bc;
      for (var j = 0u; j < params.n_ctx; j++) {
        let row = j * params.d_vocab + tokens[b * params.n_ctx + j];
        s += table4[(tt + row * w) / 4u + c4];
      }
      let o = to + b * w + c;
      out[o] = s.x;
      out[o + 1u] = s.y;
      out[o + 2u] = s.z;
      out[o + 3u] = s.w;
      if (RELU_POST) {
        let r = max(s, vec4<f32>(0.0));
        post[o] = r.x;
        post[o + 1u] = r.y;
        post[o + 2u] = r.z;
        post[o + 3u] = r.w;
      }
    }
  } else {
    let c = wid.x * 64u + lid.x;
    if (c >= w) { return; }
    let bc = bias[tb + c];
    for (var b = wid.y; b < params.batch; b += groups.y) {
      var s = bc;
      for (var j = 0u; j < params.n_ctx; j++) {
        let row = j * params.d_vocab + tokens[b * params.n_ctx + j];
        s += table[tt + row * w + c];
      }
      out[to + b * w + c] = s;
      if (RELU_POST) { post[to + b * w + c] = max(s, 0.0); }
    }
  }
}

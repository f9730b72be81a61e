// out[b, c] = bias[c] + Σ_j table[(j·d_vocab + tokens[b·n_ctx + j])·width + c]: per-example sums of rows
// of per-(position, token) tables, the constant-attention fast path's hook_pre and logits (SPEC §3).
// Consecutive invocations take consecutive columns, so table rows are read coalesced; each workgroup walks
// rows b = workgroup_id.y, + num_workgroups.y, ...: few workgroups (lavapipe pays per workgroup). The token
// loads are the same for the whole workgroup (one cache line on a GPU); lavapipe still loads them lane by
// lane, as it does every load whose address is not a constant (its compiled code shows it).
// VEC4 (width a multiple of 4): each invocation takes four columns, reading the table through table4 and
// writing through out4 and post4, vec4 views of the same buffers (out and post then bind small unused
// buffers): one 16-byte load per row instead of four, and one 16-byte store. N_CTX is an override, so the
// loop over positions unrolls (lavapipe pays a round of execution-mask bookkeeping per iteration of a loop
// with a run-time bound). On lavapipe, which stores lane by lane as it loads, the two took hook_pre's gather
// alone from 5.4 to 3.8 ms (medians, interleaved, in a slow spell); storing the four components one by one
// instead kept it at 5–6 ms.
// RELU_POST: also post = max(out, 0), hook_post beside hook_pre, saving the activation's own pass.
// An ensemble's models are workgroup_id.z: model t's table, bias and out (and post) start at t·strideTable,
// t·strideBias and t·strideOut; the tokens are shared.
struct Params { batch: u32, d_vocab: u32, width: u32, strideTable: u32, strideBias: u32, strideOut: u32 }

override N_CTX: u32 = 2u;
override VEC4: bool = false;
override RELU_POST: bool = false;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> tokens: array<u32>;
@group(0) @binding(2) var<storage, read> table: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;
@group(0) @binding(5) var<storage, read> table4: array<vec4<f32>>;
@group(0) @binding(6) var<storage, read_write> post: array<f32>;
@group(0) @binding(7) var<storage, read_write> out4: array<vec4<f32>>;
@group(0) @binding(8) var<storage, read_write> post4: array<vec4<f32>>;

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
      for (var j = 0u; j < N_CTX; j++) {
        let row = j * params.d_vocab + tokens[b * N_CTX + j];
        s += table4[(tt + row * w) / 4u + c4];
      }
      let o4 = (to + b * w) / 4u + c4;
      out4[o4] = s;
      if (RELU_POST) { post4[o4] = max(s, vec4<f32>(0.0)); }
    }
  } else {
    let c = wid.x * 64u + lid.x;
    if (c >= w) { return; }
    let bc = bias[tb + c];
    for (var b = wid.y; b < params.batch; b += groups.y) {
      var s = bc;
      for (var j = 0u; j < N_CTX; j++) {
        let row = j * params.d_vocab + tokens[b * N_CTX + j];
        s += table[tt + row * w + c];
      }
      out[to + b * w + c] = s;
      if (RELU_POST) { post[to + b * w + c] = max(s, 0.0); }
    }
  }
}

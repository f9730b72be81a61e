// out[w] = max of x[i] (of |x[i]| when ABS) over the i < n that workgroup w of `groups` covers: thread t of
// workgroup w reads i = w·64 + t, then every groups·64 further (coalesced), then the workgroup combines its
// 64 values by a tree over workgroup memory. With groups = 1, out[0] is the max over all of x[0..n).
// reduceMax (src/ops/gpu/reduce_max.ts) dispatches it twice: many workgroups into partial maxima, then one
// workgroup over those. Inputs must be NaN-free (max with NaN is implementation-defined).
struct Params { n: u32, groups: u32 }

override ABS: bool = false;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

var<workgroup> tile: array<f32, 64>;

fn value(i: u32) -> f32 {
  if (ABS) { return abs(x[i]); }
  return x[i];
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) t: u32) {
  var i = wg.x * 64u + t;
  // Start from an element every thread may read (n ≥ 1): it is a member of the set, so no −∞ is needed.
  var acc = value(min(i, params.n - 1u));
  let stride = params.groups * 64u;
  for (; i < params.n; i += stride) { acc = max(acc, value(i)); }
  tile[t] = acc;
  workgroupBarrier();
  for (var w = 32u; w > 0u; w >>= 1u) {
    if (t < w) { tile[t] = max(tile[t], tile[t + w]); }
    workgroupBarrier();
  }
  if (t == 0u) { out[wg.x] = tile[0]; }
}

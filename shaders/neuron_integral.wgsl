// Batched neuron-integral sums (SPEC §3, §4): for every group t of neurons and shift m,
//   out[0, t, m] = Σ_{i in t} w_i·P_t(φ_i + x_m)·cos 2(φ_i + x_m),   out[1, t, m] = Σ_{i in t} w_i·P_t(φ_i + x_m)·sin 2(φ_i + x_m),
// with the group's integrand P_t(u) = ReLU(a0 + a1 cos u + a2 cos 2u): (0, 1, 0) gives f_c(u) = ReLU(cos u)·cos 2u and
// f_s(u) = ReLU(cos u)·sin 2u, other coefficients a cluster's secondary 2k component and offset at one distance class
// (src/bound/shape.ts). No trig here: the host passes cos and sin of every node angle φ_i and shift x_m (from float64),
// and the kernel uses only products and sums (the angle-addition formula, cos 2u = cos²u − sin²u, sin 2u = 2 sin u cos u),
// so its only error is f32 rounding. Group t holds neurons offsets[t] .. offsets[t+1]−1. One thread per (shift, group),
// the neurons summed in index order: deterministic, no atomics.
struct Params { groups: u32, shifts: u32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> nodes: array<f32>;    // [neurons, 2]: cos φ_i, sin φ_i
@group(0) @binding(2) var<storage, read> weights: array<f32>;  // [neurons]
@group(0) @binding(3) var<storage, read> offsets: array<u32>;  // [groups + 1]
@group(0) @binding(4) var<storage, read> shift: array<f32>;    // [shifts, 2]: cos x_m, sin x_m
@group(0) @binding(5) var<storage, read> shape: array<f32>;    // [groups, 3]: a0, a1, a2 of each group's integrand
@group(0) @binding(6) var<storage, read_write> out: array<f32>; // [2, groups, shifts]

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let m = gid.x;
  let t = gid.y;
  if (m >= params.shifts || t >= params.groups) { return; }
  let cx = shift[2u * m];
  let sx = shift[2u * m + 1u];
  let a0 = shape[3u * t];
  let a1 = shape[3u * t + 1u];
  let a2 = shape[3u * t + 2u];
  var sc = 0.0;
  var ss = 0.0;
  for (var i = offsets[t]; i < offsets[t + 1u]; i++) {
    let cp = nodes[2u * i];
    let sp = nodes[2u * i + 1u];
    let cu = cp * cx - sp * sx;
    let su = sp * cx + cp * sx;
    let c2 = cu * cu - su * su;
    let s2 = 2.0 * su * cu;
    let r = weights[i] * max(a0 + a1 * cu + a2 * c2, 0.0);
    sc += r * c2;
    ss += r * s2;
  }
  out[t * params.shifts + m] = sc;
  out[(params.groups + t) * params.shifts + m] = ss;
}

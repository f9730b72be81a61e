// out[a·p + b] = max_{c<p} (X[a, c] + Y[b, c] + Z[(a − b) mod p, c]) for all p² inputs (SPEC §4): the max over
// output logits of an input's error bound, whose terms depend on the first token, the second token and their
// distance. One thread per input (grid-stride), the max over c in order: deterministic, no atomics. Terms are
// non-negative, so with inputs rounded up to f32 the result is within (1 + u)² of the real max of the inputs;
// the host (src/bound/gpu.ts) rounds it up by that before it counts as a bound.
struct Params { p: u32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> X: array<f32>;   // [p, p]: first token, output
@group(0) @binding(2) var<storage, read> Y: array<f32>;   // [p, p]: second token, output
@group(0) @binding(3) var<storage, read> Z: array<f32>;   // [p, p]: distance, output
@group(0) @binding(4) var<storage, read_write> out: array<f32>; // [p²]

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let p = params.p;
  for (var j = gid.x; j < p * p; j += nwg.x * 64u) {
    let a = j / p;
    let b = j % p;
    let d = (a + p - b) % p;
    var m = X[a * p] + Y[b * p] + Z[d * p];
    for (var c = 1u; c < p; c++) { m = max(m, X[a * p + c] + Y[b * p + c] + Z[d * p + c]); }
    out[j] = m;
  }
}

// One AdamW step in place for i < n, in PyTorch's order (src/ops/cpu/adamw.ts): p ← p·(1 − lr·wd);
// m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²; p ← p − (lr/bc1)·m/(√v/√bc2 + eps), bc = 1 − β^step.
// The per-step values sit in a small storage buffer the trainer rewrites before each step (adamwHyper),
// so one prepared dispatch serves every step: hyper = [1 − lr·wd, β1, 1 − β1, β2, 1 − β2, lr/bc1, √bc2, eps].
// An ensemble's models run in the same dispatch, each with its own hyperparameters (hyper[8t .. 8t+8]):
// model t = workgroup_id.y's first n elements of param, grad, m and v start at t·stride.
struct Params { n: u32, stride: u32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> hyper: array<f32>;
@group(0) @binding(2) var<storage, read> grad: array<f32>;
@group(0) @binding(3) var<storage, read_write> param: array<f32>;
@group(0) @binding(4) var<storage, read_write> m: array<f32>;
@group(0) @binding(5) var<storage, read_write> v: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  // Read once before the loop: on lavapipe every storage read whose address is not a constant is a load per
  // lane, so eight of them per element cost more than the update itself.
  let h = 8u * gid.y;
  let decay = hyper[h];
  let beta1 = hyper[h + 1u];
  let oneMinusBeta1 = hyper[h + 2u];
  let beta2 = hyper[h + 3u];
  let oneMinusBeta2 = hyper[h + 4u];
  let stepSize = hyper[h + 5u];
  let sqrtBc2 = hyper[h + 6u];
  let eps = hyper[h + 7u];
  for (var e = gid.x; e < params.n; e += nwg.x * 64u) {
    let i = gid.y * params.stride + e;
    let g = grad[i];
    let mi = beta1 * m[i] + oneMinusBeta1 * g;
    let vi = beta2 * v[i] + oneMinusBeta2 * g * g;
    m[i] = mi;
    v[i] = vi;
    param[i] = param[i] * decay - stepSize * mi / (sqrt(vi) / sqrtBc2 + eps);
  }
}

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
  let h = 8u * gid.y;
  for (var e = gid.x; e < params.n; e += nwg.x * 64u) {
    let i = gid.y * params.stride + e;
    let g = grad[i];
    let mi = hyper[h + 1u] * m[i] + hyper[h + 2u] * g;
    let vi = hyper[h + 3u] * v[i] + hyper[h + 4u] * g * g;
    m[i] = mi;
    v[i] = vi;
    param[i] = param[i] * hyper[h] - hyper[h + 5u] * mi / (sqrt(vi) / hyper[h + 6u] + hyper[h + 7u]);
  }
}

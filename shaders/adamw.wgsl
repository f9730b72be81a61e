// One AdamW step in place for i < n, in PyTorch's order (src/ops/cpu/adamw.ts): p ← p·(1 − lr·wd);
// m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²; p ← p − (lr/bc1)·m/(√v/√bc2 + eps), bc = 1 − β^step.
// The per-step values sit in a small storage buffer the trainer rewrites before each step (adamwHyper),
// so one prepared dispatch serves every step: hyper = [1 − lr·wd, β1, 1 − β1, β2, 1 − β2, lr/bc1, √bc2, eps].
struct Params { n: u32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> hyper: array<f32, 8>;
@group(0) @binding(2) var<storage, read> grad: array<f32>;
@group(0) @binding(3) var<storage, read_write> param: array<f32>;
@group(0) @binding(4) var<storage, read_write> m: array<f32>;
@group(0) @binding(5) var<storage, read_write> v: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  for (var i = gid.x; i < params.n; i += nwg.x * 64u) {
    let g = grad[i];
    let mi = hyper[1] * m[i] + hyper[2] * g;
    let vi = hyper[3] * v[i] + hyper[4] * g * g;
    m[i] = mi;
    v[i] = vi;
    param[i] = param[i] * hyper[0] - hyper[5] * mi / (sqrt(vi) / hyper[6] + hyper[7]);
  }
}

// dpre[i] = act'(pre[i])·dpost[i] for i < n, the derivative of activation.wgsl: ReLU' = 1 for x > 0, else 0
// (0 at exactly 0, as PyTorch), or exact GeLU' = Φ(x) + x·φ(x), Φ as in activation.wgsl (|ΔΦ| < 6e-8).
struct Params { n: u32 }

override GELU: bool = false;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> pre: array<f32>;
@group(0) @binding(2) var<storage, read> dpost: array<f32>;
@group(0) @binding(3) var<storage, read_write> dpre: array<f32>;

// Copy of activation.wgsl's normal_cdf (WGSL has no includes).
fn normal_cdf(x: f32) -> f32 {
  let z = abs(x) * 0.70710678118654752;
  let t = 1.0 / (1.0 + 0.5 * z);
  let erfc_z = t * exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
    + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return select(1.0 - 0.5 * erfc_z, 0.5 * erfc_z, x < 0.0);
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  for (var i = gid.x; i < params.n; i += nwg.x * 64u) {
    let x = pre[i];
    var d = select(0.0, 1.0, x > 0.0);
    if (GELU) {
      d = normal_cdf(x) + x * 0.39894228040143268 * exp(-0.5 * x * x);
    }
    dpre[i] = d * dpost[i];
  }
}

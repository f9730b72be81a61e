// post[i] = act(pre[i]) for i < n: ReLU max(x, 0), or PyTorch's exact GeLU x·Φ(x) (F.gelu, which Zhong et
// al. use). WGSL has no erf: Φ(x) = erfc(−x/√2)/2 with erfc from Numerical Recipes' Chebyshev fit (§6.2
// erfcc), relative error < 1.2e-7 for every z ≥ 0; so |ΔΦ| < 6e-8 (plus float32 rounding) everywhere, and
// for x < 0 the error stays relative to Φ itself (up to float32 exp's error at −x²/2: ~1e-5 at x = −9),
// with no 1 + erf(x) cancellation in GeLU's flat tail.
// activation_backward.wgsl repeats normal_cdf (WGSL has no includes): keep the two in step.
struct Params { n: u32 }

override GELU: bool = false;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> pre: array<f32>;
@group(0) @binding(2) var<storage, read_write> post: array<f32>;

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
    if (GELU) {
      post[i] = x * normal_cdf(x);
    } else {
      post[i] = max(x, 0.0);
    }
  }
}

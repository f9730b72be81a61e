// Forward (BACKWARD = false): out[i] = act(pre[i]) for i < n, dpost unread.
// Backward (BACKWARD = true): out[i] = act'(pre[i])·dpost[i].
// act is ReLU max(x, 0), with ReLU'(x) = 1 for x > 0 else 0 (0 at exactly 0, as PyTorch), or PyTorch's exact
// GeLU x·Φ(x) (F.gelu, which Zhong et al. use), GeLU' = Φ(x) + x·φ(x). WGSL has no erf: Φ(x) = erfc(−x/√2)/2
// with erfc from Numerical Recipes' Chebyshev fit (§6.2 erfcc), relative error < 1.2e-7 for every z ≥ 0;
// so |ΔΦ| < 6e-8 (plus float32 rounding) everywhere, and for x < 0 the error stays relative to Φ itself (up
// to float32 exp's error at −x²/2: ~1e-5 at x = −9), with no 1 + erf(x) cancellation in GeLU's flat tail.
// VEC4 (n a multiple of 4): four elements an invocation through vec4 views of the same buffers (out then
// binds a small unused buffer): a quarter of the loads and stores, which lavapipe runs lane by lane. The
// functions are written for vec4 and the scalar path calls them on a splat, so both compute the same values.
struct Params { n: u32 }

override GELU: bool = false;
override BACKWARD: bool = false;
override VEC4: bool = false;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> pre: array<f32>;
@group(0) @binding(2) var<storage, read> dpost: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<storage, read> pre4: array<vec4<f32>>;
@group(0) @binding(5) var<storage, read> dpost4: array<vec4<f32>>;
@group(0) @binding(6) var<storage, read_write> out4: array<vec4<f32>>;

fn normal_cdf(x: vec4<f32>) -> vec4<f32> {
  let z = abs(x) * 0.70710678118654752;
  let t = 1.0 / (1.0 + 0.5 * z);
  let erfc_z = t * exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
    + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return select(1.0 - 0.5 * erfc_z, 0.5 * erfc_z, x < vec4<f32>(0.0));
}

fn act(x: vec4<f32>) -> vec4<f32> {
  if (GELU) { return x * normal_cdf(x); }
  return max(x, vec4<f32>(0.0));
}

fn act_derivative(x: vec4<f32>) -> vec4<f32> {
  if (GELU) { return normal_cdf(x) + x * 0.39894228040143268 * exp(-0.5 * x * x); }
  return select(vec4<f32>(0.0), vec4<f32>(1.0), x > vec4<f32>(0.0));
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  if (VEC4) {
    for (var i = gid.x; i < params.n / 4u; i += nwg.x * 64u) {
      if (BACKWARD) { out4[i] = act_derivative(pre4[i]) * dpost4[i]; } else { out4[i] = act(pre4[i]); }
    }
  } else {
    for (var i = gid.x; i < params.n; i += nwg.x * 64u) {
      let x = vec4<f32>(pre[i]);
      if (BACKWARD) { out[i] = act_derivative(x).x * dpost[i]; } else { out[i] = act(x).x; }
    }
  }
}

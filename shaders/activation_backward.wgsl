// dpre = act'(pre)·dpost for activation.wgsl's ReLU (derivative 0 at 0, as PyTorch) or exact GeLU
// (Φ(x) + x·φ(x), erf by Abramowitz & Stegun 7.1.26).
struct Params { n: u32 }

override GELU: bool = false;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> pre: array<f32>;
@group(0) @binding(2) var<storage, read> dpost: array<f32>;
@group(0) @binding(3) var<storage, read_write> dpre: array<f32>;

fn erf_as(x: f32) -> f32 {
  let t = 1.0 / (1.0 + 0.3275911 * abs(x));
  let poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return sign(x) * (1.0 - poly * exp(-x * x));
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x + gid.y * 65535u * 64u;
  if (i >= params.n) { return; }
  let x = pre[i];
  var d = select(0.0, 1.0, x > 0.0);
  if (GELU) {
    d = 0.5 * (1.0 + erf_as(x * 0.70710678118654752)) + x * 0.39894228040143268 * exp(-0.5 * x * x);
  }
  dpre[i] = d * dpost[i];
}

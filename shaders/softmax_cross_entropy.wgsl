// One row per invocation: loss = −log softmax(logits)[label], dlogits = scale·(softmax − onehot(label)),
// correct = (argmax over the first p logits, first on ties, equals the label).
// Stable without float64: when the label holds the largest logit, loss = log1p(s) with
// s = Σ_{c≠y} exp(l_c − l_y), and the label's gradient is −s/(1+s); so losses far below 1e-7 keep their
// relative precision instead of being rounded to multiples of float32's epsilon (SPEC §1).
struct Params { batch: u32, d_vocab_out: u32, p: u32, scale: f32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> logits: array<f32>;
@group(0) @binding(2) var<storage, read> labels: array<u32>;
@group(0) @binding(3) var<storage, read_write> loss: array<f32>;
@group(0) @binding(4) var<storage, read_write> dlogits: array<f32>;
@group(0) @binding(5) var<storage, read_write> correct: array<f32>;

// log(1 + s) for s ≥ 0: a series where log(1 + s) would lose s's low bits, log elsewhere.
fn log1p_pos(s: f32) -> f32 {
  if (s < 0.25) {
    var acc = 0.0;
    for (var k = 12u; k >= 1u; k--) { acc = 1.0 / f32(k) - s * acc; }
    return s * acc;
  }
  return log(1.0 + s);
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let b = gid.x;
  if (b >= params.batch) { return; }
  let V = params.d_vocab_out;
  let o = b * V;
  let y = labels[b];
  var mx = logits[o];
  for (var c = 1u; c < V; c++) { mx = max(mx, logits[o + c]); }
  var arg = 0u;
  for (var c = 1u; c < params.p; c++) { if (logits[o + c] > logits[o + arg]) { arg = c; } }
  correct[b] = select(0.0, 1.0, arg == y);
  let ly = logits[o + y];
  let scale = params.scale;
  if (ly == mx) {
    var s = 0.0;
    for (var c = 0u; c < V; c++) { if (c != y) { s += exp(logits[o + c] - ly); } }
    loss[b] = log1p_pos(s);
    for (var c = 0u; c < V; c++) {
      dlogits[o + c] = select(scale * exp(logits[o + c] - ly) / (1.0 + s), -scale * s / (1.0 + s), c == y);
    }
  } else {
    var z = 0.0;
    for (var c = 0u; c < V; c++) { z += exp(logits[o + c] - mx); }
    loss[b] = log(z) - (ly - mx);
    for (var c = 0u; c < V; c++) {
      dlogits[o + c] = scale * (exp(logits[o + c] - mx) / z - select(0.0, 1.0, c == y));
    }
  }
}

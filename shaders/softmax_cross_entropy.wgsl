// For each row b < batch of logits [batch, d_vocab_out] with label y = labels[b]:
//   loss[b] = −log softmax(logits_b)[y]; dlogits_b = scale·(softmax(logits_b) − onehot(y));
//   correct[b] = 1.0 if the argmax over the FIRST p logits (first index on ties) is y, else 0.0.
// One row per invocation. Precision without float64 (SPEC §1): with j the row's largest logit (y itself
// when the label ties the max) and s = Σ_{c≠j} e^{l_c − l_j} summed directly, loss = log1p(s) + (l_j − l_y)
// and, when j = y, the label's gradient is −s/(1+s) rather than p_y − 1: a loss of 1e-9 keeps its
// relative precision instead of being rounded to 0 or to multiples of float32's 6e-8.
// An ensemble's models are global_invocation_id.y: model t's logits and dlogits start at t·strideLogits,
// its loss and correct at t·strideRows; the labels are shared.
struct Params { batch: u32, d_vocab_out: u32, p: u32, scale: f32, strideLogits: u32, strideRows: u32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> logits: array<f32>;
@group(0) @binding(2) var<storage, read> labels: array<u32>;
@group(0) @binding(3) var<storage, read_write> loss: array<f32>;
@group(0) @binding(4) var<storage, read_write> dlogits: array<f32>;
@group(0) @binding(5) var<storage, read_write> correct: array<f32>;

// log(1 + s) for s ≥ 0. WGSL's log is only good to 2^-21 absolute on [0.5, 2], so for s ≤ 1 use
// 2·atanh(w) = 2·Σ_k w^(2k+1)/(2k+1) with w = s/(2+s) ≤ 1/3: ten terms leave a relative error below 1e-10.
fn log1p_pos(s: f32) -> f32 {
  if (s > 1.0) { return log(1.0 + s); }
  let w = s / (2.0 + s);
  let w2 = w * w;
  var acc = 0.0;
  for (var k = 9; k >= 0; k--) { acc = 1.0 / f32(2 * k + 1) + w2 * acc; }
  return 2.0 * w * acc;
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let row = gid.x;
  if (row >= params.batch) { return; }
  let V = params.d_vocab_out;
  let o = gid.y * params.strideLogits + row * V;
  let b = gid.y * params.strideRows + row;
  let y = labels[row];
  let ly = logits[o + y];
  // The running maxima are kept with their indices rather than reloaded: on lavapipe each load is a load per lane.
  var j = y;
  var lj = ly;
  var arg = 0u;
  var larg = logits[o];
  for (var c = 0u; c < V; c++) {
    let l = logits[o + c];
    if (l > lj) { j = c; lj = l; }
    if (c < params.p && l > larg) { arg = c; larg = l; }
  }
  correct[b] = select(0.0, 1.0, arg == y);
  var s = 0.0;
  for (var c = 0u; c < V; c++) { if (c != j) { s += exp(logits[o + c] - lj); } }
  loss[b] = log1p_pos(s) + (lj - ly);
  let scale = params.scale;
  let inv = 1.0 / (1.0 + s);
  for (var c = 0u; c < V; c++) {
    var d = exp(logits[o + c] - lj) * inv - select(0.0, 1.0, c == y);
    if (c == j) { d = select(inv, -s * inv, j == y); }
    dlogits[o + c] = scale * d;
  }
}

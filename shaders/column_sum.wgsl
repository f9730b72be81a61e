// out[t, c] = Σ_r x[t, r, c] (+ out[t, c] when ACCUMULATE), for t < batch: bias gradients and other sums
// over the batch. One thread per output column walks the rows; consecutive threads read consecutive
// columns, so every row is read coalesced. Deterministic: a fixed summation order, no atomics.
struct Params { batch: u32, rows: u32, cols: u32, strideX: u32, strideOut: u32 }

override ACCUMULATE: bool = false;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let c = gid.x;
  let t = gid.y;
  if (c >= params.cols || t >= params.batch) { return; }
  let base = t * params.strideX + c;
  var s = 0.0;
  for (var r = 0u; r < params.rows; r++) { s += x[base + r * params.cols]; }
  if (ACCUMULATE) { s += out[t * params.strideOut + c]; }
  out[t * params.strideOut + c] = s;
}

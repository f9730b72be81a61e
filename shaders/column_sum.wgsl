// out[t, c] = Σ_r x[t, r, c] (+ out[t, c] when ACCUMULATE), for t < batch: bias gradients and other sums
// over the batch. One thread per output column walks the rows; consecutive threads read consecutive
// columns, so every row is read coalesced. Deterministic: a fixed summation order, no atomics.
// Split rows (params.splits > 1): workgroup y is t·splits + s, and sums rows [s·chunk, min(rows, (s+1)·chunk))
// into out at y·strideOut (a [batch, splits, cols] buffer of partial sums that src/ops/gpu/column_sum.ts sums
// again), so a sum with few columns and many rows still fills the device. splits = 1 is every row, in order.
struct Params { batch: u32, rows: u32, cols: u32, strideX: u32, strideOut: u32, splits: u32, chunk: u32 }

override ACCUMULATE: bool = false;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let c = gid.x;
  let t = gid.y / params.splits;
  if (c >= params.cols || t >= params.batch) { return; }
  let rowBegin = (gid.y % params.splits) * params.chunk;
  let rowEnd = min(params.rows, rowBegin + params.chunk);
  let base = t * params.strideX + c;
  var s = 0.0;
  for (var r = rowBegin; r < rowEnd; r++) { s += x[base + r * params.cols]; }
  let o = gid.y * params.strideOut + c;
  if (ACCUMULATE) { s += out[o]; }
  out[o] = s;
}

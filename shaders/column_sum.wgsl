// out[t, c] = Σ_r x[t, r, c] (+ out[t, c] when ACCUMULATE), for t < batch: bias gradients and other sums
// over the batch. One thread per output column walks the rows; consecutive threads read consecutive
// columns, so every row is read coalesced. Deterministic: a fixed summation order, no atomics.
// Split rows (params.splits > 1): workgroup y is t·splits + s, and sums rows [s·chunk, min(rows, (s+1)·chunk))
// into out at y·strideOut (a [batch, splits, cols] buffer of partial sums that src/ops/gpu/column_sum.ts sums
// again), so a sum with few columns and many rows still fills the device. splits = 1 is every row, in order.
// VEC4 (cols and both strides multiples of 4): each thread sums four columns through x4 and out4, vec4 views
// of the same buffers (out then binds a small unused buffer): a quarter of the loads and stores, which
// lavapipe runs lane by lane. The same additions in the same order, so the same sums.
struct Params { batch: u32, rows: u32, cols: u32, strideX: u32, strideOut: u32, splits: u32, chunk: u32 }

override ACCUMULATE: bool = false;
override VEC4: bool = false;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<storage, read> x4: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read_write> out4: array<vec4<f32>>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let t = gid.y / params.splits;
  let width = select(params.cols, params.cols / 4u, VEC4);
  let c = gid.x;
  if (c >= width || t >= params.batch) { return; }
  let rowBegin = (gid.y % params.splits) * params.chunk;
  let rowEnd = min(params.rows, rowBegin + params.chunk);
  if (VEC4) {
    let base = (t * params.strideX) / 4u + c;
    var s = vec4<f32>(0.0);
    for (var r = rowBegin; r < rowEnd; r++) { s += x4[base + r * width]; }
    let o = (gid.y * params.strideOut) / 4u + c;
    if (ACCUMULATE) { s += out4[o]; }
    out4[o] = s;
  } else {
    let base = t * params.strideX + c;
    var s = 0.0;
    for (var r = rowBegin; r < rowEnd; r++) { s += x[base + r * width]; }
    let o = gid.y * params.strideOut + c;
    if (ACCUMULATE) { s += out[o]; }
    out[o] = s;
  }
}

// out[c] = Σ_r x[r, c] (+ out[c] when ACCUMULATE): bias gradients and other sums over the batch.
// One thread per column walks the rows; consecutive threads read consecutive columns, so every row is
// read coalesced. Deterministic: a fixed summation order, no atomics.
struct Params { rows: u32, cols: u32 }

override ACCUMULATE: bool = false;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let c = gid.x;
  if (c >= params.cols) { return; }
  var s = 0.0;
  for (var r = 0u; r < params.rows; r++) { s += x[r * params.cols + c]; }
  if (ACCUMULATE) { s += out[c]; }
  out[c] = s;
}

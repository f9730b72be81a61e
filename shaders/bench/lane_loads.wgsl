// out[i] = Σ_{r < rows} Σ_q x[(i mod rows + r) mod rows][w·(i mod w') + q], q < w (w = 1, or 4 with VEC4;
// w' = width / w): invocation i walks its own column (four with VEC4) down every row, starting at row
// i mod rows, each element at an address known only at run time. Neighbouring invocations read
// neighbouring columns one row apart. src/bench/ceiling.ts times it to price a load on this adapter
// (lavapipe runs such loads lane by lane). LOAD = false runs the same loop with s.x += f32(o) in place
// of the load, so that the loop's own cost can be taken off.
struct Params { rows: u32, width: u32 }

override LOAD: bool = true;
override VEC4: bool = false;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> x4: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  // Row by row with a wrap-around add rather than a modulo per load: an integer division would cost more
  // than the load being measured. o < total always: it starts below it and one subtraction undoes one step.
  let w = select(params.width, params.width / 4u, VEC4);
  let total = params.rows * w;
  var o = (i % params.rows) * w + i % w;
  var s = vec4<f32>(0.0);
  for (var r = 0u; r < params.rows; r++) {
    if (!LOAD) { s.x += f32(o); } else if (VEC4) { s += x4[o]; } else { s.x += x[o]; }
    o += w;
    o = select(o, o - total, o >= total);
  }
  out[i] = s.x + s.y + s.z + s.w;
}

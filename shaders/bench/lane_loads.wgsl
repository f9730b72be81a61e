// out[i] = Σ_{r < rows} x[(r + i) mod rows][i mod width]: every invocation reads its own element of each
// row, at an address known only at run time, the way a matmul reads its operands (src/bench/ceiling.ts
// times it; on lavapipe such loads run lane by lane, and this prices one). VEC4: four columns an
// invocation through x4, the same buffer as vec4 (width a multiple of 4; out[i] is then their sum).
struct Params { rows: u32, width: u32 }

override VEC4: bool = false;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> x4: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  // Row by row with a wrap-around add rather than a modulo per load: an integer division would cost more
  // than the load being measured.
  let w = select(params.width, params.width / 4u, VEC4);
  let total = params.rows * w;
  var o = (i % params.rows) * w + i % w;
  var s = vec4<f32>(0.0);
  for (var r = 0u; r < params.rows; r++) {
    if (VEC4) { s += x4[o]; } else { s.x += x[o]; }
    o += w;
    o = select(o, o - total, o >= total);
  }
  out[i] = s.x + s.y + s.z + s.w;
}

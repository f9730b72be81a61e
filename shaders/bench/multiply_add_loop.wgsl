// out[i] = Σ_a x_a after `iterations` loop iterations of x_a ← x_a·m + c_a for 16 independent
// accumulators a (x_a starting at (i mod 7) + a; m = params.m, c_a = a·params.c): the fastest a runtime
// loop of float32 multiply-adds runs on this adapter, with nothing loaded (src/bench/ceiling.ts).
// FOUR_STEPS writes four steps out in each iteration (the host runs a quarter of the iterations): on
// lavapipe every value carried round a loop is stored through the execution mask once per iteration, so
// the count of steps an iteration holds sets the ceiling for kernels, like our matmul, whose k loop takes
// two steps an iteration for each row of its block.
struct Params { iterations: u32, m: f32, c: f32 }

override FOUR_STEPS: bool = false;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;

fn step(x: ptr<function, array<f32, 16>>) {
  for (var a = 0u; a < 16u; a++) { (*x)[a] = (*x)[a] * params.m + f32(a) * params.c; }
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  var x: array<f32, 16>;
  for (var a = 0u; a < 16u; a++) { x[a] = f32(gid.x % 7u) + f32(a); }
  for (var i = 0u; i < params.iterations; i++) {
    step(&x);
    if (FOUR_STEPS) {
      step(&x);
      step(&x);
      step(&x);
    }
  }
  var s = 0.0;
  for (var a = 0u; a < 16u; a++) { s += x[a]; }
  out[gid.x] = s;
}

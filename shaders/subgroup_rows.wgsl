// Probe of the subgroup layout (src/gpu/subgroups.ts): ok[i] = 1 where invocation i's subgroup is exactly one
// row of the (WGX, 8) workgroup with its lanes in local_invocation_id.x order, the layout shaders/matmul.wgsl's
// SHUFFLE_A relies on. WebGPU does not promise any layout, so it is measured rather than assumed.
enable subgroups;

override WGX: u32 = 8u;

@group(0) @binding(0) var<storage, read_write> ok: array<u32>;

@compute @workgroup_size(WGX, 8, 1)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(local_invocation_index) i: u32,
        @builtin(subgroup_size) lanes: u32, @builtin(subgroup_invocation_id) lane: u32) {
  // Every subgroup operation first, in uniform control flow (&& would branch around them).
  let firstRow = subgroupBroadcastFirst(lid.y);
  let lanesActive = subgroupAdd(1u);
  ok[i] = select(0u, 1u, lanes == WGX && lane == lid.x && firstRow == lid.y && lanesActive == WGX);
}

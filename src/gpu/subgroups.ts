// Whether subgroups are rows of a workgroup: measured once per device by shaders/subgroup_rows.wgsl.
import type { Gpu } from './device.js';
import { KernelRegistry, submit } from './kernels.js';
import { createTensor, freeTensor, readback } from './tensor.js';

/**
 * The subgroup size s when every subgroup of an (s, 8) workgroup is one of its rows with lanes in x order
 * (lavapipe: s = 8, its SIMD width), else undefined. Only a device whose subgroups all have one size is probed.
 */
export async function rowSubgroupSize(g: Gpu): Promise<number | undefined> {
  const { subgroupMinSize: s, subgroupMaxSize } = g.adapter.info;
  if (!s || s !== subgroupMaxSize || s > g.device.limits.maxComputeWorkgroupSizeX || 8 * s > g.device.limits.maxComputeInvocationsPerWorkgroup) return undefined;
  const k = new KernelRegistry(g);
  const ok = createTensor(g, 'u32', [8 * s], undefined, 'subgroup_rows');
  try {
    submit(g, [k.prepare('subgroup_rows', { tensors: { ok }, constants: { WGX: s }, workgroups: [1] })]);
    return (await readback(g, ok)).every((x) => x === 1) ? s : undefined;
  } finally {
    freeTensor(g, ok);
    k.owner.dispose();
  }
}

import { describe, it } from 'vitest';
import { submit } from '../../src/gpu/kernels.js';
import { createTensor, poison, readF32 } from '../../src/gpu/tensor.js';
import { neuronIntegral as cpuNeuronIntegral, nodeTable } from '../../src/ops/cpu/neuron_integral.js';
import { neuronIntegral as gpuNeuronIntegral } from '../../src/ops/gpu/neuron_integral.js';
import { Rng } from '../../src/util/rng.js';
import { expectClose, testGpu } from '../helpers.js';

describe('neuron_integral', () => {
  // Group sizes (some of one neuron, one empty) and shift counts 2p that are not multiples of 64.
  it.each([
    [[1], 2],
    [[1, 1, 1], 118],
    [[149, 190, 173], 118],
    [[3, 0, 1, 64, 65], 2 * 113],
    [[7], 1],
  ])('groups %j, %i shifts, plain and shaped integrands: GPU matches the float64 CPU path', async (sizes, shifts) => {
    const { g, k } = await testGpu();
    const rng = new Rng(sizes.length * 1000 + shifts);
    const neurons = sizes.reduce((a, b) => a + b, 0);
    const offsets = [0];
    for (const n of sizes) offsets.push(offsets[offsets.length - 1] + n);
    const nodes = nodeTable(Array.from({ length: neurons }, () => (rng.uniform() * 2 - 1) * Math.PI));
    const weights = Array.from({ length: neurons }, () => rng.uniform() * 2);
    const shift = nodeTable(Array.from({ length: shifts }, (_, m) => (Math.PI * m) / (shifts / 2)));
    // The first group the plain integrand ReLU(cos u), the others a secondary component and an offset of either sign.
    const shape = sizes.flatMap((_, t) => (t === 0 ? [0, 1, 0] : [rng.uniform() - 0.5, 2 * rng.uniform(), 0.5 * rng.uniform() - 0.25]));
    const s = { groups: sizes.length, neurons, shifts };
    const want = cpuNeuronIntegral(Float32Array.from(nodes), Float32Array.from(weights), offsets, Float32Array.from(shift), Float32Array.from(shape), s);
    const out = createTensor(g, 'f32', [2, sizes.length, shifts]);
    poison(g, out);
    submit(g, [gpuNeuronIntegral(k,
      createTensor(g, 'f32', [Math.max(neurons, 1), 2], neurons ? nodes : [0, 0]),
      createTensor(g, 'f32', [Math.max(neurons, 1)], neurons ? weights : [0]),
      createTensor(g, 'u32', [offsets.length], offsets),
      createTensor(g, 'f32', [shifts, 2], shift), createTensor(g, 'f32', [sizes.length, 3], shape), s, out)]);
    // Sums of up to ~200 terms of size ≤ 6: float32 rounding well below 1e-5 of the total weight.
    expectClose(await readF32(g, out), want, 0, 1e-6 * Math.max(1, neurons));
  });
});

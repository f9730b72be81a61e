// The CPU reference path: every GPU kernel's computation in float64, op for op with src/ops/gpu/, under
// the same names and arguments, so a parity test is one line per op and the whole model can run forward
// and backward on the CPU. One file per op, beside its twin in src/ops/gpu/.
export * from './types.js';
export * from './column_sum.js';
export * from './gather_sum.js';
export * from './matmul.js';
export * from './embed.js';
export * from './attention.js';
export * from './activation.js';
export * from './softmax_cross_entropy.js';
export * from './adamw.js';
export * from './reduce_max.js';
export * from './neuron_integral.js';
export * from './bound_reduce.js';

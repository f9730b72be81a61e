// GPU ops: each prepares one dispatch of one kernel in shaders/ (matmul and column_sum: two when they split
// a long reduction, the pieces and their sum), with the same name and arguments as its twin in
// src/ops/cpu/ (tensors in place of arrays). Workgroup counts are derived beside the kernel's tile.
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

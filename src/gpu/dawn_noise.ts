// Lines Dawn's Vulkan backend prints (from native code, on fd 2) while it enumerates an adapter whose driver
// reports huge dynamic-buffer limits, as lavapipe does: on every process that uses the GPU, before any limit
// is requested (so requesting fewer cannot avoid them), and about limits the project never uses (it binds
// no dynamic-offset buffers). Kept apart from device.ts so the test runner can filter them without Dawn.

const DAWN_NOISE = /^Warning: maxDynamic(Uniform|Storage)BuffersPerPipelineLayout artificially reduced from \d+ to \d+ to fit dynamic offset allocation limit\.\n?/gm;

/** `text` without those lines (and nothing else). */
export const dropDawnNoise = (text: string) => text.replace(DAWN_NOISE, '');

/** Workgroups needed to cover n items at `per` items a workgroup. */
export const groups = (n: number, per: number) => Math.ceil(n / per);

/** Cover `rows` with the y and z workgroup dimensions (y at most 65535, the WebGPU default limit). */
export const rowGroups = (rows: number): [number, number] => [Math.min(rows, 65535), Math.ceil(rows / 65535)];

/** Elementwise kernels: 64 items a workgroup along x, spilling into y past 65535 workgroups. */
export const elementwise = (n: number): [number, number] => {
  const g = groups(n, 64);
  return [Math.min(g, 65535), Math.ceil(g / 65535)];
};

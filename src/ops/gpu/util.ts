/** Workgroups needed to cover n items at `per` items a workgroup. */
export const groups = (n: number, per: number) => Math.ceil(n / per);

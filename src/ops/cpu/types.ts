export type F64 = Float64Array;

/** Elements spanned by `copies` copies of `each` elements, copy t starting at t·stride (a batch, an ensemble's models). */
export const stackedExtent = (copies: number, stride: number, each: number) => (copies - 1) * stride + each;

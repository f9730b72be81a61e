export type F64 = Float64Array;

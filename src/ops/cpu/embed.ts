import { type F64, stackedExtent } from './types.js';

export interface EmbedShape { batch: number; n_ctx: number; d_model: number }

/** x0[b, j] = W_E[tokens[b, j]] + W_pos[j]: shaders/embed_gather.wgsl. */
export function embedGather(W_E: ArrayLike<number>, W_pos: ArrayLike<number>, tokens: ArrayLike<number>, s: EmbedShape): F64 {
  const { batch, n_ctx, d_model: dm } = s;
  const out = new Float64Array(batch * n_ctx * dm);
  for (let r = 0; r < batch * n_ctx; r++) {
    const t = tokens[r];
    const j = r % n_ctx;
    for (let m = 0; m < dm; m++) out[r * dm + m] = W_E[t * dm + m] + W_pos[j * dm + m];
  }
  return out;
}

/**
 * Rows grouped by key, as compressed lists: the rows with key v are rows[starts[v] .. starts[v+1]), in
 * increasing order. Scatter-adds walk these lists in a fixed order, so they are deterministic without
 * atomics (WGSL has no float atomics).
 */
export interface TokenIndex { starts: Uint32Array; rows: Uint32Array }

export function tokenIndex(keys: ArrayLike<number>, nKeys: number): TokenIndex {
  const starts = new Uint32Array(nKeys + 1);
  for (let i = 0; i < keys.length; i++) {
    if (!(keys[i] >= 0 && keys[i] < nKeys)) throw new Error(`tokenIndex: key ${keys[i]} at ${i} outside 0..${nKeys - 1}`);
    starts[keys[i] + 1]++;
  }
  for (let v = 0; v < nKeys; v++) starts[v + 1] += starts[v];
  const fill = starts.slice(0, nKeys);
  const rows = new Uint32Array(keys.length);
  for (let i = 0; i < keys.length; i++) rows[fill[keys[i]]++] = i;
  return { starts, rows };
}

/**
 * x has `rows` rows of d_model. `models` copies of the op on one index (an ensemble, default 1): model t's x
 * starts at element t·strideX (default rows·d_model), its out at t·strideOut (default d_vocab·d_model).
 */
export interface ScatterShape { rows: number; d_vocab: number; d_model: number; models?: number; strideX?: number; strideOut?: number }

export const scatterStrides = (s: ScatterShape) => ({ models: s.models ?? 1, x: s.strideX ?? s.rows * s.d_model, out: s.strideOut ?? s.d_vocab * s.d_model });

/** out[t, v] = Σ_{r in index list v} x[t, r] for each model t, rows of width d_model: shaders/embed_scatter_add.wgsl. */
export function embedScatterAdd(x: ArrayLike<number>, index: TokenIndex, s: ScatterShape): F64 {
  const { d_vocab, d_model: dm } = s;
  const st = scatterStrides(s);
  const bad = index.rows.find((r) => !(r < s.rows));
  if (bad !== undefined) throw new Error(`embedScatterAdd: index row ${bad} outside x's ${s.rows} rows`);
  const out = new Float64Array(stackedExtent(st.models, st.out, d_vocab * dm));
  for (let t = 0; t < st.models; t++) {
    for (let v = 0; v < d_vocab; v++) {
      for (let i = index.starts[v]; i < index.starts[v + 1]; i++) {
        const r = t * st.x + index.rows[i] * dm;
        for (let m = 0; m < dm; m++) out[t * st.out + v * dm + m] += x[r + m];
      }
    }
  }
  return out;
}

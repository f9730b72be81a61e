// Adversarial soundness review of the certified bounds (SPEC §4): structures and tiny real models chosen to hit
// the edges of each proof (p = 2..8, one neuron, nodes exactly on the integrand's kinks u = ±π/2, right angles
// at even p, large secondary terms with four roots, huge and tiny weights, exact idealisations, D dominating).
// The judge is independent of the bound code: M = Σ_i ReLU(h_i)·W_L[i, c] in float64 from my own loop (and for
// real models from the CPU forward pass: post·W_out·W_U), the answer (a + b) mod p, and the tier's own M̂ table.
import { describe, expect, it } from 'vitest';
import { BOUND_FIGURES, boundFigure, boundModel, boundStructure } from '../../src/bound/bound.js';
import { clusterIntegrands, distanceCos, explain, explanationTable, modn } from '../../src/bound/explanation.js';
import { boundReduceGpu } from '../../src/bound/per_shift/gpu.js';
import { gamma } from '../../src/bound/integrand.js';
import { structureRounding } from '../../src/bound/structure_error.js';
import { type MlpStructure, mlpStructure } from '../../src/interp/structure.js';
import { makeConfig } from '../../src/model/config.js';
import { forwardCpu } from '../../src/model/cpu_model.js';
import { allPairs } from '../../src/model/inputs.js';
import { initParams } from '../../src/model/params.js';
import { Rng } from '../../src/util/rng.js';
import { testGpu } from '../helpers.js';

type Report = ReturnType<typeof boundStructure>;

/**
 * Judge a report: every tier's ε̄(a, b) ≥ max_c |M − M̂| − (rounding of M) and every certified input has
 * logit(a + b) > logit(c) for all c ≠ a + b (argmax over the first p), from M [p², p] and D [p², p] given.
 */
function judge(r: Report, M: Float64Array, Mabs: Float64Array, D: Float64Array, mTable: Float64Array, tag: string): { certified: number } {
  const p = r.p;
  let certified = 0;
  for (const name of BOUND_FIGURES) {
    const eps = r.perInput[name];
    if (!eps) continue;
    const t = boundFigure(r, name)!;
    const un = new Set(t.uncertified.map(([a, b]) => a * p + b));
    for (let a = 0; a < p; a++) {
      for (let b = 0; b < p; b++) {
        const row = a * p + b;
        const d = modn(a - b, p);
        const cs = (a + b) % p;
        let worst = 0;
        for (let c = 0; c < p; c++) {
          const e = Math.abs(M[row * p + c] - mTable[d * p + modn(c - cs, p)]) - 4 * gamma(64) * Mabs[row * p + c];
          worst = Math.max(worst, e);
        }
        if (!(eps[row] >= worst)) throw new Error(`${tag} ${name}: ε̄(${a}, ${b}) = ${eps[row]} < ${worst}`);
        if (un.has(row)) continue;
        certified++;
        const top = M[row * p + cs] + D[row * p + cs];
        for (let c = 0; c < p; c++) {
          if (c === cs) continue;
          const l = M[row * p + c] + D[row * p + c];
          if (!(top > l)) throw new Error(`${tag} ${name}: (${a}, ${b}) certified but logit ${c} = ${l} ≥ logit ${cs} = ${top}`);
        }
      }
    }
    if (!(t.eps_bound >= r.eps_true)) throw new Error(`${tag} ${name}: ε̄ ${t.eps_bound} < ε ${r.eps_true}`);
  }
  return { certified };
}

/** An adversarial planted structure: exact truth by construction. */
function adversarial(rng: Rng, trial: number): MlpStructure {
  const p = [2, 3, 4, 5, 6, 7, 8, 11][rng.int(8)];
  const d = [1, 1, 2, 3, 4, 8, 16][rng.int(7)];
  const kMax = Math.max(1, Math.floor(p / 2));
  const freqs = Array.from({ length: 1 + rng.int(2) }, () => 1 + rng.int(kMax));
  const phaseMode = rng.int(4); // 0 random, 1 on the kinks, 2 evenly spread, 3 all equal
  const rho = [0, 0, 0.1, 0.6, 1.5, -0.4][rng.int(6)];
  const kappa = [0, 0, 0.3, -0.3, 2.5, -1.9, 1e-12][rng.int(7)];
  const noise = [0, 0, 1e-9, 0.01, 0.3][rng.int(5)];
  const deltaScale = [0, 0.1, Math.PI][rng.int(3)];
  const scaleR = 10 ** [0, -6, 6, -100, 100, -150][rng.int(6)];
  const scaleS = 10 ** [0, 3, -3, -140, 140][rng.int(5)];
  const U = new Float64Array(p * d);
  const V = new Float64Array(p * d);
  const c = new Float64Array(d);
  const W_L = new Float64Array(d * p);
  for (let i = 0; i < d; i++) {
    const k = freqs[i % freqs.length];
    const w = (2 * Math.PI * k) / p;
    // kinks: some node φ + πm/p lands on ±π/2 exactly (as nearly as float64 allows)
    const phi = [
      (2 * rng.uniform() - 1) * Math.PI,
      (rng.uniform() < 0.5 ? 1 : -1) * Math.PI / 2 - (Math.PI * rng.int(2 * p)) / p,
      -Math.PI + (2 * Math.PI * i) / d,
      0.3,
    ][phaseMode];
    const r = scaleR * (0.5 + rng.uniform());
    const sOut = scaleS * (0.5 + rng.uniform());
    const delta = deltaScale * (2 * rng.uniform() - 1);
    for (let x = 0; x < p; x++) {
      const ang = w * x + phi;
      const ideal = r * (Math.cos(ang) - rho * Math.cos(2 * ang));
      U[x * d + i] = ideal + r * noise * rng.normal();
      V[x * d + i] = ideal + r * noise * rng.normal();
      W_L[i * p + x] = sOut * (Math.cos(w * x + 2 * phi + delta) + noise * rng.normal());
    }
    c[i] = r * (kappa + noise * rng.normal());
    if (trial % 17 === 0 && i === 0) c[i] = -100 * r; // a dead neuron
  }
  // D: none, noise, or a strong correct signal that dominates M.
  const dMode = rng.int(3);
  const Mscale = scaleR * scaleS * d;
  const Da = new Float64Array(p * p);
  const Db = new Float64Array(p * p);
  const Dconst = new Float64Array(p);
  if (dMode > 0) {
    const lam = dMode === 1 ? 0.05 * Mscale : 20 * Mscale;
    for (let x = 0; x < p; x++) {
      for (let o = 0; o < p; o++) {
        const w = (2 * Math.PI * freqs[0]) / p;
        Da[x * p + o] = lam * Math.cos(w * (x - o)) + 0.01 * Mscale * rng.normal();
        Db[x * p + o] = lam * Math.sin(w * (x - o)) + 0.01 * Mscale * rng.normal();
      }
      Dconst[x] = 0.01 * Mscale * rng.normal();
    }
  }
  return { p, d_mlp: d, d_vocab_out: p, exact: true, U, V, c, W_L, Da, Db, Dconst };
}

/** M, Σ|terms| and D of a structure by direct summation; the truth handed to boundStructure. */
function direct(s: MlpStructure) {
  const { p, d_mlp: d } = s;
  const hookPost = new Float64Array(p * p * d);
  const M = new Float64Array(p * p * p);
  const Mabs = new Float64Array(p * p * p);
  const D = new Float64Array(p * p * p);
  const logits = new Float64Array(p * p * p);
  for (let a = 0; a < p; a++) {
    for (let b = 0; b < p; b++) {
      const row = a * p + b;
      for (let i = 0; i < d; i++) hookPost[row * d + i] = Math.max(0, s.U[a * d + i] + s.V[b * d + i] + s.c[i]);
      for (let o = 0; o < p; o++) {
        let m = 0;
        let ma = 0;
        for (let i = 0; i < d; i++) {
          m += hookPost[row * d + i] * s.W_L[i * p + o];
          ma += Math.abs(hookPost[row * d + i] * s.W_L[i * p + o]);
        }
        M[row * p + o] = m;
        Mabs[row * p + o] = ma;
        D[row * p + o] = s.Da[a * p + o] + s.Db[b * p + o] + s.Dconst[o];
        logits[row * p + o] = m + D[row * p + o];
      }
    }
  }
  return { hookPost, logits, M, Mabs, D };
}

const info = { attention_rate: 0, structure_flops: 0 };

describe('adversarial soundness hunt', () => {
  it('distanceCos is accurate relative to |C| near right angles (the allowances scale with |T|\'s coefficients)', () => {
    // Reference near a right angle: cos(π/2 − t) = sin t, t = πn/(2p) small, with π in double-double.
    const PI_LO = 1.2246467991473532e-16;
    for (const p of [59, 113, 1009]) {
      for (let d = 0; d < p; d++) {
        const { C, C2 } = distanceCos(p, 1, d); // ωd/2 = πd/p
        expect(Math.abs(C - Math.cos((Math.PI * d) / p))).toBeLessThan(1e-14);
        expect(Math.abs(C2 - Math.cos((2 * Math.PI * d) / p))).toBeLessThan(1e-14);
        const n = p - 2 * d; // C = sin(πn/(2p))
        if (Math.abs(n) > 3) continue;
        const t = ((Math.PI + PI_LO) * n) / (2 * p);
        const ref = t - t ** 3 / 6 + t ** 5 / 120 - t ** 7 / 5040 + t ** 9 / 362880 - t ** 11 / 39916800;
        expect(Math.abs(C - ref)).toBeLessThanOrEqual(8 * 2 ** -53 * Math.abs(ref));
      }
    }
    expect(distanceCos(4, 1, 2).C).toBe(0); // right angles exactly 0 (even p)
    expect(distanceCos(4, 1, 2).C2).toBe(-1);
    expect(distanceCos(8, 1, 2).C2).toBe(0);
  });

  it('planted edge cases: tiny p, one neuron, kinks, four-root shapes, extreme scales, D dominating', () => {
    const rng = new Rng(77);
    let certified = 0;
    for (let trial = 0; trial < 600; trial++) {
      const s = adversarial(rng, trial);
      const { M, Mabs, D } = direct(s);
      const opts = { M: [4, 5, 17, 64][rng.int(4)], shape: rng.uniform() < 0.6 };
      const r = boundStructure(s, info, opts);
      const ex = explain(s, opts);
      const mTable = explanationTable(ex, clusterIntegrands(ex, opts.M));
      certified += judge(r, M, Mabs, D, mTable, `trial ${trial} (p ${s.p}, d ${s.d_mlp})`).certified;
    }
    // The hunt certifies often enough to mean something (scales outside SAFE_RANGE, e.g. 1e-100·1e-140, are refused).
    expect(certified).toBeGreaterThan(900);
  });

  it('real tiny models, truth from the CPU forward pass: exact idealisation (ε ≈ quadrature only) and random init', () => {
    const rng = new Rng(5);
    for (let trial = 0; trial < 40; trial++) {
      const p = [2, 3, 5, 7][trial % 4];
      const d_mlp = [1, 2, 5, 12][rng.int(4)];
      const planted = trial % 2 === 0;
      // d_model 6: dims 0–1 embed, 2–3 attention output, 4–5 the MLP's output read by W_U.
      // Random models also vary the layout: 'mean' convention, '=' token, b fed as b + p.
      const layout = planted ? {} : { eq_token: trial % 3 === 1, diff_vocab: trial % 5 === 1 };
      const cfg = makeConfig({ p, d_model: 6, n_heads: 1, d_mlp, attention_rate: 0, attention_convention: planted || trial % 4 === 1 ? 'sum' : 'mean', ...layout });
      const params = initParams(cfg, 100 + trial);
      if (planted) {
        const k = 1 + rng.int(Math.max(1, Math.floor(p / 2)));
        const w = (2 * Math.PI * k) / p;
        const P = params;
        for (const name of Object.keys(P) as (keyof typeof P)[]) P[name].fill(0);
        for (let t = 0; t < p; t++) { P['embed.W_E'][t * 6] = Math.cos(w * t); P['embed.W_E'][t * 6 + 1] = Math.sin(w * t); }
        // W_V = identity, W_O moves dims 0, 1 to 2, 3: x1[2..3] = e(a) + e(b) (sum convention: C = 1).
        for (let j = 0; j < 6; j++) P['blocks.0.attn.W_V'][j * 6 + j] = 1;
        P['blocks.0.attn.W_O'][0 * 6 + 2] = 1;
        P['blocks.0.attn.W_O'][1 * 6 + 3] = 1;
        for (let i = 0; i < d_mlp; i++) {
          const phi = rng.uniform() < 0.5 ? -Math.PI + (2 * Math.PI * i) / d_mlp : Math.PI / 2 - (Math.PI * rng.int(2 * p)) / p;
          const r = 0.5 + rng.uniform();
          P['blocks.0.mlp.W_in'][2 * d_mlp + i] = r * Math.cos(phi); // cos(wx + φ) = cos wx cos φ − sin wx sin φ
          P['blocks.0.mlp.W_in'][3 * d_mlp + i] = -r * Math.sin(phi);
          P['blocks.0.mlp.b_in'][i] = trial % 6 === 0 ? 0.2 * r : 0;
          P['blocks.0.mlp.W_out'][i * 6 + 4] = Math.cos(2 * phi);
          P['blocks.0.mlp.W_out'][i * 6 + 5] = -Math.sin(2 * phi);
        }
        for (let c = 0; c < p; c++) { P['unembed.W_U'][4 * p + c] = Math.cos(w * c); P['unembed.W_U'][5 * p + c] = Math.sin(w * c); }
      }
      const act = forwardCpu(cfg, params, allPairs(cfg));
      // M from the forward pass: post·W_out·W_U; D = logits − M.
      const n = p * p;
      const M = new Float64Array(n * p);
      const Mabs = new Float64Array(n * p);
      const D = new Float64Array(n * p);
      for (let row = 0; row < n; row++) {
        const out = new Float64Array(6);
        for (let i = 0; i < d_mlp; i++) for (let j = 0; j < 6; j++) out[j] += act.hook_post[row * d_mlp + i] * params['blocks.0.mlp.W_out'][i * 6 + j];
        for (let c = 0; c < p; c++) {
          let m = 0;
          for (let j = 0; j < 6; j++) m += out[j] * params['unembed.W_U'][j * p + c];
          let ma = 0;
          for (let i = 0; i < d_mlp; i++) for (let j = 0; j < 6; j++) ma += Math.abs(act.hook_post[row * d_mlp + i] * params['blocks.0.mlp.W_out'][i * 6 + j] * params['unembed.W_U'][j * p + c]);
          M[row * p + c] = m;
          Mabs[row * p + c] = ma;
          D[row * p + c] = act.logits[row * p + c] - m;
        }
      }
      const r = boundModel(cfg, params, { M: 16, shape: trial % 3 !== 0 });
      const ex = explain(mlpStructure(cfg, params), { shape: trial % 3 !== 0 });
      const mTable = explanationTable(ex, clusterIntegrands(ex, 16));
      judge(r, M, Mabs, D, mTable, `real trial ${trial} (p ${p}, d_mlp ${d_mlp}, ${planted ? 'planted' : 'random'})`);
    }
  });
});

describe('the structure\'s float64 rounding (structure_error.ts)', () => {
  it('a real tie hidden by rounding in cancelling embeddings is not certified', () => {
    // p = 2, d_model 3, W_OV = I (sum convention: x1 = E[a] + 2E[b]). Token 0 embeds as (2^30, 2^-12, 2^30), token 1
    // as 0; W_U[:, 0] = (1, 3·2^-12, −1), b_U[0] = −9·2^-24, logit 1 ≡ 0; no MLP. In real arithmetic logit 0 of
    // (0, 0) is 3·2^30 + 9·2^-24 − 3·2^30 − 9·2^-24 = 0: a tie, not correct. Float64 D rounds 2^30 + 3·2^-24 up and
    // finds D₀ = 3·2^-24 > 0; with the old relative slack (1e-9·max|D|) per_shift and compressed certified it.
    const cfg = makeConfig({ p: 2, d_model: 3, n_heads: 1, d_mlp: 1, attention_rate: 0, attention_convention: 'sum' });
    const P = initParams(cfg, 1);
    for (const k of Object.keys(P) as (keyof typeof P)[]) P[k].fill(0);
    for (let j = 0; j < 3; j++) { P['blocks.0.attn.W_V'][j * 3 + j] = 1; P['blocks.0.attn.W_O'][j * 3 + j] = 1; }
    P['embed.W_E'].set([2 ** 30, 2 ** -12, 2 ** 30], 0);
    P['unembed.W_U'].set([1, 0, 3 * 2 ** -12, 0, -1, 0]);
    P['unembed.b_U'][0] = -9 * 2 ** -24;
    const s = mlpStructure(cfg, P);
    expect(s.Da[0] + s.Db[0] + s.Dconst[0]).toBe(3 * 2 ** -24); // the rounding that hides the tie
    const r = boundModel(cfg, P, { M: 8, shape: true });
    for (const name of BOUND_FIGURES) expect(boundFigure(r, name)!.uncertified).toContainEqual([0, 0]);
  });

  it('a real tie that the float64 forward pass rounds into a win is not certified by brute force', () => {
    // As above with W_U[1, 0] = 2^-11, b_U[0] = −3·2^-23: the forward pass computes x1 = 3E[0] exactly, then
    // fl(3·2^30 + 3·2^-23) = 3·2^30 + 2^-21, so its logit 0 is 2^-23 > 0 = logit 1; the real logit 0 is 0. The old
    // brute-force tier (forward pass + relative slack) certified (0, 0).
    const cfg = makeConfig({ p: 2, d_model: 3, n_heads: 1, d_mlp: 1, attention_rate: 0, attention_convention: 'sum' });
    const P = initParams(cfg, 1);
    for (const k of Object.keys(P) as (keyof typeof P)[]) P[k].fill(0);
    for (let j = 0; j < 3; j++) { P['blocks.0.attn.W_V'][j * 3 + j] = 1; P['blocks.0.attn.W_O'][j * 3 + j] = 1; }
    P['embed.W_E'].set([2 ** 30, 2 ** -12, 2 ** 30], 0);
    P['unembed.W_U'].set([1, 0, 2 ** -11, 0, -1, 0]);
    P['unembed.b_U'][0] = -3 * 2 ** -23;
    const act = forwardCpu(cfg, P, allPairs(cfg));
    expect(act.logits[0]).toBe(2 ** -23); // the forward pass's rounding
    const r = boundModel(cfg, P, { M: 8, shape: true });
    for (const name of BOUND_FIGURES) expect(boundFigure(r, name)!.uncertified).toContainEqual([0, 0]);
  });

  it('is tiny on ordinary weights: below 1e-12 on a random initialisation', () => {
    const cfg = makeConfig({ p: 7, d_model: 6, n_heads: 1, d_mlp: 16, attention_rate: 0, attention_convention: 'sum' });
    const e = structureRounding(cfg, initParams(cfg, 3));
    const worst = Math.max(...e.U, ...e.V, ...e.c, ...e.W_L, ...e.Da, ...e.Db, ...e.Dconst);
    expect(worst).toBeGreaterThan(0);
    expect(worst).toBeLessThan(1e-12);
  });
});

describe('GPU reduction under WGSL float semantics', () => {
  it('subnormal terms are raised to the least normal f32 (WGSL may flush them), so the result still bounds them', async () => {
    const { g, k } = await testGpu();
    const r = await boundReduceGpu(g, k, [1e-40, 0], [1e-41, 0], [0, 0], 1);
    expect(r[0]).toBeGreaterThanOrEqual(1e-40 + 1e-41);
    expect(r[0]).toBeGreaterThanOrEqual(3 * 2 ** -126); // three terms, each at least the least normal
  });
});

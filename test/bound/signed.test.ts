// The signed residual bound (src/bound/per_shift/signed.ts): logit by logit on planted models |M − M̂ − S| ≤ R + quad, and pairwise with
// the quadrature's turning part as the per-shift tier counts it, with brute force in float64 as the judge; the output term alone
// against Σ p̂ΔW; the signed certificate never certifies a wrong input.
import { describe, expect, it } from 'vitest';
import { clusterIntegrands, explain, explanationTable, modn } from '../../src/bound/explanation.js';
import { certifySigned, signedEps, signedResiduals } from '../../src/bound/per_shift/signed.js';
import { turnTable } from '../../src/bound/compressed/quadrature.js';
import { plantedStructure } from '../../src/bound/planted.js';
import { type Certification } from '../../src/bound/certify.js';
import { distancePart, perShiftQuadrature } from '../../src/bound/per_shift/quadrature.js';
import { outputTerm, residuals } from '../../src/bound/residuals.js';
import { structureForward } from '../../src/bound/brute_force/forward.js';
import { boundReduce } from '../../src/ops/cpu/bound_reduce.js';
import { Rng } from '../../src/util/rng.js';
import { randomPlanted } from '../helpers.js';

describe('signed residual bound', () => {
  it('|M − M̂ − S| ≤ R + quad for every input and logit of 300 planted models; certified ⇒ correct', () => {
    const rng = new Rng(77);
    let tighter = 0;
    let noisy = 0;
    let certifiedSome = 0;
    for (let trial = 0; trial < 300; trial++) {
      const { p, d, noise, s, ex } = randomPlanted(rng);
      const ints = clusterIntegrands(ex, 4 + rng.int(40));
      const mTable = explanationTable(ex, ints);
      const res = residuals(s, ex, rng.int(20));
      const lin = signedResiduals(s, ex, res);
      const { quad, turning, fixed } = perShiftQuadrature(ex, ints);
      const turn = turnTable(ex);
      const st = structureForward(s);
      const eps = signedEps(p, lin, quad, 0);
      const old = boundReduce(res.X, res.Y, distancePart(ex, res, ints), p);
      for (let a = 0; a < p; a++) {
        for (let b = 0; b < p; b++) {
          const r = a * p + b;
          const d0 = modn(a - b, p);
          const cs = (a + b) % p;
          let worst = 0;
          const signed = new Float64Array(p);
          for (let c = 0; c < p; c++) {
            let m = 0;
            for (let i = 0; i < d; i++) m += st.post[r * d + i] * s.W_L[i * p + c];
            signed[c] = m - mTable[d0 * p + modn(c - cs, p)] - lin.S[r * p + c];
            const err = Math.abs(signed[c]);
            const bound = lin.R[r * p + c] + quad[r];
            if (!(err <= bound)) throw new Error(`trial ${trial} (p ${p}, d ${d}, noise ${noise}): input (${a}, ${b}) logit ${c}: |M − M̂ − S| ${err} > R + quad ${bound}`);
            worst = Math.max(worst, Math.abs(m - mTable[d0 * p + modn(c - cs, p)]));
          }
          // The pairwise rule of certifySigned with the per-shift turning parts (as bound.ts builds it).
          for (let c = 0; c < p; c++) {
            const j = modn(c - cs, p);
            let pair = 0;
            for (let k = 0; k < ex.clusters.length; k++) pair += turn[k][j] * turning[k][r] + 2 * fixed[k][r];
            const bound = lin.R[r * p + cs] + lin.R[r * p + c] + pair;
            if (!(Math.abs(signed[cs] - signed[c]) <= bound)) throw new Error(`trial ${trial}: input (${a}, ${b}) logit ${c}: pairwise ${Math.abs(signed[cs] - signed[c])} > ${bound}`);
          }
          expect(eps[r]).toBeGreaterThanOrEqual(worst);
          if (noise >= 0.02) {
            noisy++;
            if (eps[r] < old[r] + quad[r]) tighter++;
          }
        }
      }
      // The signed rule against the model's own answers (D = D_a + D_b + D_c as planted), with no other certificate.
      const none: Certification = { certified: new Uint8Array(p * p), accuracy: 0, uncertified: [] };
      const D = (a: number, b: number, c: number) => s.Da[a * p + c] + s.Db[b * p + c] + s.Dconst[c];
      const cert = certifySigned(p, mTable, D, lin, quad, 0, 1e-12, none);
      for (let r = 0; r < p * p; r++) {
        if (!cert.certified[r]) continue;
        const cs = (Math.floor(r / p) + (r % p)) % p;
        for (let c = 0; c < p; c++) if (c !== cs && !(st.logits[r * p + cs] > st.logits[r * p + c])) throw new Error(`trial ${trial}: input ${r} certified but logit ${c} ≥ the answer's`);
      }
      if (cert.accuracy > 0) certifiedSome++;
    }
    // Meaningful only if the signed bound is usually the tighter one on noisy models and certifies often.
    expect(tighter / noisy).toBeGreaterThan(0.5);
    expect(certifiedSome).toBeGreaterThan(30);
  });

  it('outputTerm bounds the W_L-row residual Σ p̂_iΔW_i(c) of every cluster, input and logit, for any J and M', () => {
    const rng = new Rng(11);
    for (let trial = 0; trial < 200; trial++) {
      const p = 5 + rng.int(9);
      const d = 1 + rng.int(48);
      const { s } = plantedStructure(rng, p, d, [0.001, 0.05, 0.3][rng.int(3)]);
      const ex = explain(s, { shape: rng.uniform() < 0.7 });
      const ints = clusterIntegrands(ex, 4 + rng.int(30));
      const res = residuals(s, ex, rng.int(25));
      ex.clusters.forEach((cl, k) => {
        for (let a = 0; a < p; a++) {
          for (let b = 0; b < p; b++) {
            const row = outputTerm(res, k, ints[k][modn(a - b, p)]);
            for (let c = 0; c < p; c++) {
              let t = 0;
              for (const i of cl.neurons) {
                const nf = ex.fourier[i];
                const pHat = Math.max(0, res.uHat[a * d + i] + res.uHat[b * d + i] + nf.r * cl.shape.kappa);
                t += pHat * (s.W_L[i * p + c] - nf.s * Math.cos((2 * Math.PI * modn(cl.k * c, p)) / p + nf.psi));
              }
              if (!(Math.abs(t) <= row[c] * (1 + 1e-12) + 1e-13)) throw new Error(`trial ${trial} cluster ${k} (${a}, ${b}) c ${c}: ${Math.abs(t)} > ${row[c]}`);
            }
          }
        }
      });
    }
  });

  it('keeps what another certificate certified, and rejects a tie', () => {
    const p = 3;
    const zeros = new Float64Array(p * p * p);
    const lin = { S: zeros, R: zeros, flops: 0 };
    const mTable = new Float64Array(p * p); // M̂ ≡ 0: every margin is D's, here a tie
    const also: Certification = { certified: Uint8Array.from([1, 0, 0, 0, 0, 0, 0, 0, 0]), accuracy: 1 / 9, uncertified: [] };
    const cert = certifySigned(p, mTable, () => 0, lin, new Float64Array(p * p), 0, 0, also);
    expect(Array.from(cert.certified)).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(cert.uncertified).toHaveLength(8);
  });
});

// The Python module (python/pizza_quadrature.py) against the project's float64 CPU reference: its PyTorch
// forward pass, built from a checkpoint it loaded, gives the same logits on all p² pairs, for the project's
// layout and for Zhong et al.'s. Debian's python3-numpy and python3-torch (scripts/setup.sh --test).
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluateCpu } from '../../src/interp/evaluate.js';
import { loadCheckpoint, saveCheckpoint } from '../../src/io/checkpoint.js';
import { makeConfig } from '../../src/model/config.js';
import { initParams } from '../../src/model/params.js';
import { MODEL_A, MODEL_B, expectClose, tempDir } from '../helpers.js';

const PYTHON = '/usr/bin/python3';
const MODULE = new URL('../../python/pizza_quadrature.py', import.meta.url).pathname;
const OURS = new URL('../../results/pizza-seed0/model.safetensors', import.meta.url).pathname;

/** The module's logits and summary for a checkpoint. */
function python(checkpoint: string): { logits: Float64Array; accuracy: number; loss: number } {
  const out = join(tempDir('python'), 'logits.f64');
  const summary = JSON.parse(execFileSync(PYTHON, [MODULE, checkpoint, '--logits', out], { encoding: 'utf8' }));
  const bytes = readFileSync(out);
  return { logits: new Float64Array(bytes.buffer, bytes.byteOffset, bytes.length / 8), ...summary };
}

/** A random project checkpoint exercising what the trained ones do not: '=' token, GELU, 0 < α < 1, 'mean'. */
function unusual(): string {
  const cfg = makeConfig({ p: 7, d_model: 12, n_heads: 3, d_mlp: 10, attention_rate: 0.3, attention_convention: 'mean', act_fn: 'gelu', eq_token: true });
  const path = join(tempDir('python'), 'unusual.safetensors');
  saveCheckpoint(path, cfg, initParams(cfg, 5));
  return path;
}

describe('python/pizza_quadrature.py', () => {
  it.each([['the project’s pizza-seed0', OURS], ['Zhong et al.’s model A', MODEL_A], ['Zhong et al.’s model B', MODEL_B], ['an unusual project model', '']])(
    '%s: PyTorch logits on all p² pairs match the CPU reference to 1e-9 of their scale',
    (_, path) => {
      const file = path || unusual();
      const ck = loadCheckpoint(file);
      const ref = evaluateCpu(ck.cfg, ck.params);
      const py = python(file);
      // Both float64 from the same float32 weights: they differ only in summation order.
      expectClose(py.logits, ref.logits, 1e-9, 0);
      expect(py.accuracy).toBe(ref.accuracy);
      expect(py.loss).toBeCloseTo(ref.loss, 9);
    },
  );

  it('--help is help, a missing file one error line with exit 2, and to_hooked_transformer asks for TransformerLens', () => {
    const help = spawnSync(PYTHON, [MODULE, '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^usage: python3 python\/pizza_quadrature.py/);
    const missing = spawnSync(PYTHON, [MODULE, '/nonexistent.safetensors'], { encoding: 'utf8' });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/^error: \/nonexistent.safetensors: .*No such file/);
    // TransformerLens is not installable here (no PyPI): the function exists and names what it needs.
    const tl = spawnSync(PYTHON, ['-c', `import sys; sys.path.insert(0, ${JSON.stringify(join(MODULE, '..'))}); import pizza_quadrature as pq; c, w = pq.load(${JSON.stringify(MODEL_A)}); pq.to_hooked_transformer(c, w)`], { encoding: 'utf8' });
    expect(tl.stderr).toMatch(/ModuleNotFoundError: No module named 'transformer_lens'/);
  });
});

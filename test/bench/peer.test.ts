// The PyTorch peer (issue 6) without torch: its port of the project's Rng must give the same split and
// the same initial parameters, and benchPeer must report, not throw, when torch is unavailable.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { benchPeer } from '../../src/bench/peer.js';
import { makeConfig } from '../../src/model/config.js';
import { initParams } from '../../src/model/params.js';
import { preset, splitSeed } from '../../src/train/config.js';
import { split } from '../../src/train/data.js';

const SCRIPT = fileURLToPath(new URL('../../scripts/peer/train_torch.py', import.meta.url));

describe('PyTorch peer', () => {
  // 512 is the canonical width; another (the benchmark's width scan) must start from the project's init too.
  it.each([512, 96])('starts from the same split (data_seed 0) and the same float32 initial parameters as the project (seed 0), d_mlp %i', (d_mlp) => {
    // --print-init needs no torch; any python3 will do.
    const out = JSON.parse(execFileSync('python3', [SCRIPT, '--print-init', '1000000', '--d-mlp', String(d_mlp)], { encoding: 'utf8', maxBuffer: 64 << 20 }));
    const s = split(59, 0.8, splitSeed(preset('pizza')));
    expect(out.train).toEqual(s.train);
    expect(out.test).toEqual(s.test);
    const c = makeConfig({ p: 59, d_model: 128, n_heads: 4, d_mlp, attention_rate: 0, attention_convention: 'mean' });
    const init = initParams(c, 0);
    expect(Object.keys(out.init).sort()).toEqual(Object.keys(init).sort());
    for (const [name, want] of Object.entries(init)) {
      const got = Float32Array.from(out.init[name] as number[]); // rounded as torch.tensor(float32) rounds
      expect(got.length, name).toBe(want.length);
      let differ = 0;
      for (let i = 0; i < want.length; i++) if (got[i] !== want[i]) differ++;
      expect(differ, name).toBe(0);
    }
  });

  it('reports why it is skipped when the interpreter has no torch and installing is off', async () => {
    const r = await benchPeer({ python: '/nonexistent/python3', install: false });
    expect(r).toHaveProperty('skipped');
    expect((r as { skipped: string }).skipped).toMatch(/not ready under \/nonexistent\/python3/);
  });

  it('rejects bad options by name', async () => {
    await expect(benchPeer({ threads: [0], install: false })).rejects.toThrow(/threads = 0/);
    await expect(benchPeer({ steps: 1.5, install: false })).rejects.toThrow(/steps = 1.5/);
  });
});

// The sweep's grid, its shards (flags, Slurm arrays, Kubernetes indexed Jobs) and the refusal of a changed spec.
import { describe, expect, it } from 'vitest';
import { WHOLE, parseShard, shardFromEnv } from '../../src/sweep/shard.js';
import { groupCount, inShard, makeSpec, parseAxis, specDifferences, sweepModels } from '../../src/sweep/spec.js';

const width = () => makeSpec('pizza', [['steps', '300']], [parseAxis('d_mlp=32,64,128')], ['0', '1']);

describe('sweep grid', () => {
  it('is the product of its axes with the seed last, each point a config of the preset with its overrides', () => {
    const spec = makeSpec('pizza', [['steps', '300']], [parseAxis('d_mlp=32,64'), parseAxis('attention-rate=0,1')], ['0', '2']);
    const models = sweepModels(spec);
    expect(models.map((m) => m.id)).toEqual([
      'd_mlp=32,attention_rate=0,seed=0', 'd_mlp=32,attention_rate=0,seed=2', 'd_mlp=32,attention_rate=1,seed=0', 'd_mlp=32,attention_rate=1,seed=2',
      'd_mlp=64,attention_rate=0,seed=0', 'd_mlp=64,attention_rate=0,seed=2', 'd_mlp=64,attention_rate=1,seed=0', 'd_mlp=64,attention_rate=1,seed=2',
    ]);
    const m = models[6];
    expect([m.cfg.model.d_mlp, m.cfg.model.attention_rate, m.cfg.seed, m.cfg.steps, m.cfg.data_seed]).toEqual([64, 1, 0, 300, 0]);
    expect(models.map((x) => x.group)).toEqual([0, 0, 1, 1, 2, 2, 3, 3]);
    expect(groupCount(spec)).toBe(4);
  });

  it('writes numbers in one canonical form, and takes weight_decay, lr and the like as axes', () => {
    const spec = makeSpec('pizza', [], [parseAxis('weight_decay=1e-1,2.0'), parseAxis('lr=0.001')], ['0']);
    expect(sweepModels(spec).map((m) => m.id)).toEqual(['weight_decay=0.1,lr=0.001,seed=0', 'weight_decay=2,lr=0.001,seed=0']);
    expect(sweepModels(spec)[1].cfg.weight_decay).toBe(2);
  });

  it('refuses bad axes and values before anything is written, naming the field or the point', () => {
    expect(() => parseAxis('d_mlp')).toThrow(/expected field=v1,v2/);
    expect(() => parseAxis('width=1,2')).toThrow(/'width' is not a training field/);
    expect(() => parseAxis('d_mlp=32,32')).toThrow(/appears twice/);
    expect(() => makeSpec('pizza', [], [parseAxis('d_mlp=32,-4')], ['0'])).toThrow(/grid point d_mlp=-4,seed=0: --d-mlp -4/);
    expect(() => makeSpec('pizza', [], [parseAxis('seed=1,2')], ['0'])).toThrow(/names seed twice/);
    expect(() => makeSpec('pizza', [['d-mlp', '8']], [parseAxis('d_mlp=32')], ['0'])).toThrow(/--d-mlp is also a grid axis/);
    expect(() => makeSpec('nope', [], [], ['0'])).toThrow(/unknown preset 'nope'/);
  });

  it('says how a spec differs from the one a directory holds', () => {
    const other = makeSpec('pizza', [['steps', '400']], [parseAxis('d_mlp=32,64,128')], ['0', '1']);
    expect(specDifferences(width(), width())).toEqual([]);
    expect(specDifferences(width(), other)).toEqual(['overrides --steps 300 there, --steps 400 asked']);
  });
});

describe('shards', () => {
  it('deal whole groups round-robin: disjoint, covering, seeds together', () => {
    const models = sweepModels(width());
    const shards = [0, 1].map((index) => models.filter((m) => inShard(m, { index, count: 2 })).map((m) => m.id));
    expect(shards).toEqual([
      ['d_mlp=32,seed=0', 'd_mlp=32,seed=1', 'd_mlp=128,seed=0', 'd_mlp=128,seed=1'],
      ['d_mlp=64,seed=0', 'd_mlp=64,seed=1'],
    ]);
    expect(models.every((m) => inShard(m, WHOLE))).toBe(true);
  });

  it('parse --shard i/n', () => {
    expect(parseShard('2/5')).toEqual({ index: 2, count: 5 });
    for (const bad of ['5/5', '1/0', '-1/3', 'a/b', '1']) expect(() => parseShard(bad)).toThrow(/expected i\/n/);
  });

  it('come from a Slurm job array, minding SLURM_ARRAY_TASK_MIN and the step', () => {
    const slurm = (id: number, count: number, min?: number, step?: number) => shardFromEnv({
      SLURM_ARRAY_TASK_ID: String(id), SLURM_ARRAY_TASK_COUNT: String(count),
      ...(min === undefined ? {} : { SLURM_ARRAY_TASK_MIN: String(min) }), ...(step === undefined ? {} : { SLURM_ARRAY_TASK_STEP: String(step) }),
    })?.shard;
    expect(slurm(0, 3, 0)).toEqual({ index: 0, count: 3 });
    expect([1, 2, 3].map((id) => slurm(id, 3, 1))).toEqual([0, 1, 2].map((index) => ({ index, count: 3 }))); // --array=1-3
    expect([4, 6, 8].map((id) => slurm(id, 3, 4, 2))).toEqual([0, 1, 2].map((index) => ({ index, count: 3 }))); // --array=4-8:2
    expect(() => slurm(7, 3, 1)).toThrow(/not one of a regular array/); // --array=1,5,7
    expect(() => shardFromEnv({ SLURM_ARRAY_TASK_ID: '1' })).toThrow(/SLURM_ARRAY_TASK_COUNT is not set/);
  });

  it('come from a Kubernetes indexed Job with the count beside it', () => {
    expect(shardFromEnv({ JOB_COMPLETION_INDEX: '3', SWEEP_SHARD_COUNT: '7' })).toEqual({ shard: { index: 3, count: 7 }, source: 'Kubernetes completion index 3' });
    expect(() => shardFromEnv({ JOB_COMPLETION_INDEX: '3' })).toThrow(/SWEEP_SHARD_COUNT is not/);
    expect(() => shardFromEnv({ JOB_COMPLETION_INDEX: '7', SWEEP_SHARD_COUNT: '7' })).toThrow(/not below/);
    expect(() => shardFromEnv({ JOB_COMPLETION_INDEX: 'x', SWEEP_SHARD_COUNT: '7' })).toThrow(/not a whole number/);
    expect(shardFromEnv({})).toBeUndefined();
  });
});

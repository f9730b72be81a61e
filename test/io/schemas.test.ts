// One schema per file the project reads back (issue 16): the command line and config.json share the training
// config's; errors name the field and the value; files carry a version.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MetricsLineSchema, TRAIN_CONFIG_VERSION, TrainConfigFileSchema, TrainConfigSchema, parseWith, trainConfigFile } from '../../src/io/schemas.js';
import { applyOverrides, preset } from '../../src/train/config.js';
import { readMetrics } from '../../src/train/run.js';
import { readSpec, readStatus, sweepFiles } from '../../src/sweep/files.js';
import { tempDir } from '../helpers.js';

const pizza = preset('pizza');

describe('training config', () => {
  it('a config the command line builds passes the schema config.json is read with, and round-trips through the file', () => {
    const cfg = applyOverrides(pizza, [['p', '13'], ['lr', '0.003']]);
    expect(parseWith(TrainConfigSchema, cfg, 'cli')).toEqual(cfg);
    const file = trainConfigFile(cfg);
    expect(file.version).toBe(TRAIN_CONFIG_VERSION);
    expect(parseWith(TrainConfigFileSchema, JSON.parse(JSON.stringify(file)), 'config.json')).toEqual(cfg);
  });

  it.each<[string, object, RegExp]>([
    ['lr "abc"', { lr: 'abc' }, /^x\/config\.json: lr = "abc" must be a number ≥ 0$/],
    ['steps -5', { steps: -5 }, /steps = -5 must be an integer ≥ 1/],
    ['steps "500"', { steps: '500' }, /steps = "500" must be an integer ≥ 1/],
    ['steps 1.5', { steps: 1.5 }, /steps = 1\.5 must be an integer ≥ 1/],
    ['frac 0', { frac: 0 }, /frac = 0 must be a number in \(0, 1\]/],
    ['backend "tpu"', { backend: 'tpu' }, /backend = "tpu" must be 'gpu' or 'cpu'/],
    ['schedule null', { schedule: null }, /schedule = null must be 'auto', 'generic', 'constant'/],
    ['model null', { model: null }, /model = null must be a model config \(an object\)/],
    ['model.p "59"', { model: { ...pizza.model, p: '59' } }, /model\.p = "59" must be an integer ≥ 2/],
    ['model.d_vocab inconsistent', { model: { ...pizza.model, d_vocab: 60 } }, /model\.d_vocab = 60 must be 59 for p = 59/],
    ['an unknown field', { stepz: 5 }, /unknown field stepz/],
    ['a later version', { version: 2 }, /version = 2 must be 1 \(a config\.json of another version of this project\)/],
  ])('config.json with %s: one line naming the field', (_, patch, msg) => {
    expect(() => parseWith(TrainConfigFileSchema, { ...trainConfigFile(pizza), ...patch }, 'x/config.json')).toThrow(msg);
  });

  it('several bad fields are all named, on one line; a missing field is named as missing', () => {
    const { seed: _, ...noSeed } = trainConfigFile(pizza);
    expect(() => parseWith(TrainConfigFileSchema, { ...noSeed, lr: 'abc', steps: -5 }, 'c')).toThrow(/^c: seed is missing \(must be an integer ≥ 0\); lr = "abc" must be a number ≥ 0; steps = -5 must be an integer ≥ 1$/);
  });

  it('config.json from before data_seed and versions reads data_seed = seed', () => {
    const { data_seed: _, ...old } = { ...pizza, seed: 4 };
    expect(parseWith(TrainConfigFileSchema, old, 'old').data_seed).toBe(4);
  });
});

describe('metrics.jsonl', () => {
  const line = { step: 10, lr: 1e-3, train_loss: 0.5, train_accuracy: 0.25, test_loss: 0.75, test_accuracy: 0.125, seconds: 1.5 };
  const write = (text: string) => {
    const path = join(tempDir('metrics'), 'metrics.jsonl');
    writeFileSync(path, text);
    return path;
  };

  it("a diverged model's loss (NaN, written as null) reads back as NaN", () => {
    expect(parseWith(MetricsLineSchema, { ...line, test_loss: null }, 'm').test_loss).toBeNaN();
  });

  it('a torn last line (no newline after it) is dropped; a complete last line without one is kept', () => {
    const ok = JSON.stringify(line);
    expect(readMetrics(write(`${ok}\n${ok.slice(0, 20)}`))).toEqual([line]);
    expect(readMetrics(write(`${ok}\n${ok}`))).toEqual([line, line]);
  });

  it.each([
    ['null', 'null', /metrics\.jsonl:2: null must be a metrics line/],
    ['not JSON', '{"step": 20,', /metrics\.jsonl:2: not JSON/],
    ['a string step', JSON.stringify({ ...line, step: '20' }), /metrics\.jsonl:2: step = "20" must be an integer ≥ 1/],
    ['an empty line', '', /metrics\.jsonl:2: not JSON/],
  ])('any other bad line (%s) is an error naming its line number', (_, bad, msg) => {
    const ok = JSON.stringify(line);
    const path = write(`${ok}\n${bad}\n${ok}\n`);
    expect(() => readMetrics(path)).toThrow(msg);
    // A bad complete last line is reported too, never taken for a torn one.
    expect(() => readMetrics(write(`${ok}\n${bad}\n`))).toThrow(msg);
    expect(readFileSync(path, 'utf8')).toBe(`${ok}\n${bad}\n${ok}\n`);
  });
});

describe('sweep files', () => {
  it('sweep.json of another version and a status with a bad field: one line naming the file and the field', () => {
    const dir = tempDir('sweep');
    const f = sweepFiles(dir);
    writeFileSync(f.spec, JSON.stringify({ schema: 'sweep-spec/2', preset: 'pizza', overrides: [], grid: [] }));
    expect(() => readSpec(dir)).toThrow(/sweep\.json is not a sweep spec: schema = "sweep-spec\/2" must be 'sweep-spec\/1'/);
    mkdirSync(join(dir, 'status'));
    writeFileSync(f.status('m'), JSON.stringify({ id: 'm', stages: { train: { ok: 'yes', seconds: 1 } } }));
    expect(() => readStatus(dir, 'm')).toThrow(/m\.json: stages\.train\.ok = "yes" must be of type boolean$/);
    writeFileSync(f.status('m'), JSON.stringify({ id: 'm', stages: { train: { ok: true, seconds: 1 } } }));
    expect(readStatus(dir, 'm')).toEqual({ id: 'm', stages: { train: { ok: true, seconds: 1 } } });
  });
});

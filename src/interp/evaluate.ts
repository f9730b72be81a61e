// The model on all p² inputs (row a·p + b): accuracy, mean loss, logits and the MLP's activations, on the
// GPU or on the float64 CPU reference path (src/model), and scoring of any logit table.
import type { Gpu } from '../gpu/device.js';
import { type KernelRegistry, submit } from '../gpu/kernels.js';
import { readF32, upload } from '../gpu/tensor.js';
import { softmaxCrossEntropy } from '../ops/cpu/softmax_cross_entropy.js';
import type { ModelConfig } from '../model/config.js';
import { CpuBackend } from '../model/cpu_backend.js';
import { GpuModel } from '../model/gpu_model.js';
import { allPairs } from '../model/inputs.js';
import { type Params, flatten, paramLayout } from '../model/params.js';
import { build, chooseSchedule } from '../model/schedules.js';
import { mean } from '../util/stats.js';

export interface Evaluation {
  /** Share of the p² inputs whose argmax over the first p logits is (a + b) mod p. */
  accuracy: number;
  /** Mean cross-entropy over the p² inputs. */
  loss: number;
  /** [p², d_vocab_out] */
  logits: ArrayLike<number>;
  /** [p², d_mlp] */
  hookPre: ArrayLike<number>;
  hookPost: ArrayLike<number>;
}


/** The GPU pipeline's forward pass over all p² inputs (float32 activations, mean taken in float64). */
export async function evaluateGpu(g: Gpu, k: KernelRegistry, cfg: ModelConfig, params: Params): Promise<Evaluation> {
  const layout = paramLayout(cfg);
  const model = new GpuModel(g, k, cfg, layout, allPairs(cfg));
  try {
    upload(g, model.params, flatten(layout, params));
    submit(g, model.forward());
    const o = model.outputs;
    return {
      accuracy: mean(await readF32(g, o.correct)),
      loss: mean(await readF32(g, o.loss)),
      logits: await readF32(g, o.logits),
      hookPre: await readF32(g, o.hook_pre),
      hookPost: await readF32(g, o.hook_post),
    };
  } finally {
    model.dispose();
  }
}

/** The float64 CPU reference of the same (the constant-attention fast path when α = 0, as on the GPU). */
export function evaluateCpu(cfg: ModelConfig, params: Params): Evaluation {
  const batch = allPairs(cfg);
  const a = build(new CpuBackend(cfg, params, batch), cfg, batch.size, chooseSchedule(cfg)).outputs;
  return { accuracy: mean(a.correct), loss: mean(a.loss), logits: a.logits, hookPre: a.hook_pre, hookPost: a.hook_post };
}

/** Accuracy and mean (stable, float64) cross-entropy of a [p², d_vocab_out] logit table. */
export function scoreLogits(cfg: ModelConfig, logits: ArrayLike<number>): { accuracy: number; loss: number } {
  const batch = allPairs(cfg);
  const r = softmaxCrossEntropy(logits, batch.labels, { batch: batch.size, d_vocab_out: cfg.d_vocab_out, p: cfg.p, scale: 1 });
  return { accuracy: mean(r.correct), loss: mean(r.loss) };
}

// A run's report page (report.html in the run directory): the story in order — the config and training, the Fourier
// picture, phase doubling, the integrand and its quadrature, the correct-logit table, the replacement experiments,
// the bound tiers. Every number is read from the run's JSON files; the figures are the SVGs that train, analyze and
// bound drew beside them, plus the page's own (written to plots/ with their specs).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { AnalysisReport } from '../interp/analysis.js';
import { certifiedShare } from '../bound/figures.js';
import { writeFigures } from '../plot/figure.js';
import { GROKKED, grokStep } from '../train/curves.js';
import { readConfig, readMetrics, runFiles, runTitle } from '../train/run.js';
import { TIER_METHOD, boundSummary } from './bound_summary.js';
import { quadratureErrorFigure } from './figures.js';
import { esc, figureFrom, figureHtml, num, page, pct, readJson, table } from './html.js';

const links = (files: string[]) => files.map((f) => `<a href="${esc(f)}">${esc(f)}</a>`).join(', ');

export async function runPage(dir: string): Promise<string> {
  const f = runFiles(dir);
  if (!existsSync(f.config)) throw new Error(`${dir} is not a run directory (no config.json) nor a sweep directory (no summary.json)`);
  const cfg = readConfig(f.config);
  const metrics = readMetrics(f.metrics);
  const analysis = readJson<AnalysisReport>(join(dir, 'analysis.json'));
  const boundJson = readJson<unknown>(join(dir, 'bound.json'));
  const plots = join(dir, 'plots');
  const own = analysis?.clusters.length ? await writeFigures(plots, { quadrature_error: quadratureErrorFigure(analysis.clusters) }) : {};
  const analyzeCmd = `npm run analyze -- --checkpoint ${esc(f.model)} --json ${esc(join(dir, 'analysis.json'))} --plots ${esc(plots)}`;
  const boundCmd = `npm run bound -- --checkpoint ${esc(f.model)} --json ${esc(join(dir, 'bound.json'))} --plots ${esc(plots)}`;
  const fig = (file: string, caption: string, missing: string) => figureFrom(dir, file, caption, missing);

  const last = metrics.at(-1);
  const grok = grokStep(metrics);
  const m = cfg.model;
  const training = `
<p>Full-batch AdamW on ${pct(cfg.frac, 0)} of the ${m.p}² pairs (a, b), the rest held out as the test set (split seed ${cfg.data_seed}, initialisation seed ${cfg.seed}).
${last ? `After ${last.step} steps (${num(last.seconds)} s of training): train loss ${num(last.train_loss)}, test loss ${num(last.test_loss)}, train accuracy ${pct(last.train_accuracy)}, test accuracy ${pct(last.test_accuracy)}.
${grok === null ? `Test accuracy never reached ${GROKKED * 100} %: the model has not grokked.` : `Test accuracy first reached ${GROKKED * 100} % at step ${grok}: the grokking jump, marked on the curves.`}` : 'No metrics yet (metrics.jsonl is empty).'}</p>
${table(['setting', 'value'], [
    ['preset', esc(cfg.preset)], ['p (modulus)', String(m.p)], ['d_model', String(m.d_model)], ['heads × d_head', `${m.n_heads} × ${m.d_head}`], ['d_mlp', String(m.d_mlp)],
    ['attention rate α', `${m.attention_rate} (${esc(m.attention_convention)})`], ['activation', esc(m.act_fn)], ['steps', `${cfg.steps}${cfg.early_stop_loss > 0 ? `, stopping early once test accuracy is 100 % and test loss &lt; ${num(cfg.early_stop_loss)}` : ''}`],
    ['learning rate, warm-up', `${num(cfg.lr)}, ${cfg.warmup_steps} steps`], ['weight decay', num(cfg.weight_decay)], ['β1, β2', `${cfg.beta1}, ${cfg.beta2}`], ['backend', `${esc(cfg.backend)}, schedule ${esc(cfg.schedule)}`],
  ], 'kv')}
${fig('curves', 'Loss and accuracy against step, both on a log step axis; the loss on a log axis too.', `<code>npm run train -- --resume ${esc(dir)}</code> draws it.`)}`;

  const missingAnalysis = `<p class="missing">No analysis.json: run <code>${analyzeCmd}</code>.</p>`;
  const a = analysis;
  const fourier = a ? `
<p>Each live neuron is fitted by one frequency k: U_i(a) ≈ r_i cos(ω_k a + φ_i), V_i(b) likewise, W_L[i, c] ≈ s_i cos(ω_k c + ψ_i) (SPEC §3).
The primary frequency carries a median ${pct(a.fourier.median_share_uv, 1)} of U's and V's variance and ${pct(a.fourier.median_share_wl, 1)} of W_L's;
the secondary component at 2k has a median ${num(a.fourier.median_secondary_ratio)} of the primary's amplitude. Dead neurons: ${a.dead_neurons}.</p>
${table(['frequency k', 'neurons', 'W_k = Σ w_i'], a.clusters.map((c) => [String(c.frequency), String(c.neurons), num(c.weight)]))}
${fig('plots/fourier', 'Left: how many neurons each frequency has. Right: every neuron’s weight w_i = r_i·s_i, its rectangle’s width in the quadrature.', `<code>${analyzeCmd}</code> draws it.`)}` : missingAnalysis;

  const phases = a ? `
<p>Phase doubling, ψ_i ≈ 2φ_i, is what makes each neuron a rectangle under the same integrand. Over the live neurons ψ_i − 2φ_i has circular mean
${num(a.phase_doubling.circular_mean_rad)} rad and median absolute deviation ${num(a.phase_doubling.median_abs_deviation_rad)} rad.
The secondary 2k component’s phase sits at ${num(a.fourier.secondary_phase_offset.circular_mean_rad)} rad from 2φ_i (median deviation ${num(a.fourier.secondary_phase_offset.median_abs_deviation_rad)} rad; SPEC §3 expects near π).</p>
${fig('plots/phases', 'ψ_i against φ_i, one panel per cluster; the dashed line is ψ = 2φ wrapped into [−π, π].', `<code>${analyzeCmd}</code> draws it (for a model with clusters).`)}` : missingAnalysis;

  const quadrature = a ? `
<p>Each cluster’s neurons are a quadrature rule for ∫ f_c = 2/3 (SPEC §3). The table compares the relative error of the learned phases with the same weights placed at equispaced and at random phases.</p>
${table(['frequency k', 'neurons', 'learned phases', 'equispaced', 'random'], a.clusters.map((c) => [String(c.frequency), String(c.neurons), num(c.quadrature_relative_error), num(c.equispaced_relative_error), num(c.random_relative_error)]))}
${fig('plots/rectangles', 'Each cluster’s neurons as rectangles under f_c at shift x = 0.', `<code>${analyzeCmd}</code> draws it (for a model with clusters).`)}
${own.quadrature_error ? figureHtml(own.quadrature_error.svg, 'plots/quadrature_error', 'Relative quadrature error per cluster, log scale: learned phases against equispaced and random ones with the same weights.') : ''}` : missingAnalysis;

  const logits = a ? `
<p>Zhong et al.’s diagnostics (SPEC §5): distance irrelevance ${num(a.distance_irrelevance)} (near 0 for a pizza, whose correct logit depends on a − b; near 1 for a clock) and
gradient symmetricity ${num(a.gradient_symmetricity)} (near 1 for a pizza). The model’s accuracy over all p² inputs is ${pct(a.accuracy)}, mean loss ${num(a.loss)}
(evaluated on the ${esc(a.evaluation.device)}; max |logit difference| from the float64 reference ${num(a.evaluation.max_abs_logit_diff_vs_cpu)}).</p>
${fig('plots/logit_table', 'The correct logit of every input, row (a + b) mod p, column (a − b) mod p.', `<code>${analyzeCmd}</code> draws it.`)}` : missingAnalysis;

  const replacement = a ? `
<p>The MLP replaced by its explanation: <b>ideal</b> neurons (each its single-frequency fit), the closed-form <b>integral</b> M∞ (infinite width), and ideal neurons with their
<b>secondary</b> 2k components. FVE is the fraction of variance explained (of the logits, and of the MLP's contribution to them).</p>
${table(['replacement', 'accuracy', 'loss', 'FVE logits', 'FVE MLP'], (['ideal', 'integral', 'secondary'] as const).map((k) => [k, pct(a.replacement[k].accuracy), num(a.replacement[k].loss), num(a.replacement[k].fve_logits, 4), num(a.replacement[k].fve_mlp, 4)]))}` : missingAnalysis;

  let bounds = `<p class="missing">No bound.json: run <code>${boundCmd}</code>.</p>`;
  if (boundJson) {
    const s = boundSummary(boundJson);
    bounds = `
<p>ε = max |M − M̂| = ${num(s.eps, 4)} against a signal max |M̂| = ${num(s.signal, 4)}; the model’s accuracy ${pct(s.accuracy)}. Each tier proves a bound ε̄ ≥ ε and certifies
the inputs whose margin beats 2ε̄ (SPEC §4): the cheaper the tier, the looser its bound.${s.refused ? ` <span class="refused">Refused beyond brute force: ${esc(s.refused)}</span>` : ''}</p>
${table(['tier', 'ε̄', 'ε̄ / ε', 'certified', 'flops', 'seconds', 'what it rests on'], s.ladder.map((r) => [
      esc(r.tier), r.eps_bound === null ? '<span class="refused">refused</span>' : num(r.eps_bound, 4), num(r.eps_bound_over_eps), certifiedShare(r.certified_accuracy, 2),
      num(r.flops), num(r.seconds), esc(TIER_METHOD[r.tier] ?? ''),
    ]), 'notes')}
${fig('plots/cost', 'Each certificate’s cost in flops against its bound ε̄, with the true ε and the signal.', `<code>${boundCmd}</code> draws it.`)}
${fig('plots/certified', 'Which inputs each certificate certifies, laid out like the logit table.', `<code>${boundCmd}</code> draws it.`)}`;
  }

  return page(`Report: ${runTitle(cfg)}`, `A one-layer modular-addition transformer explained as numerical integration. Files: ${links(['config.json', 'metrics.jsonl', 'model.safetensors', 'analysis.json', 'bound.json'])}.`, [
    { id: 'training', title: '1. Model and training', body: training },
    { id: 'fourier', title: '2. The Fourier picture', body: fourier },
    { id: 'phases', title: '3. Phase doubling', body: phases },
    { id: 'quadrature', title: '4. The integrand and its quadrature', body: quadrature },
    { id: 'logits', title: '5. The correct-logit table', body: logits },
    { id: 'replacement', title: '6. Replacing the MLP by its explanation', body: replacement },
    { id: 'bounds', title: '7. What is proven, and what it costs', body: bounds },
  ]);
}

// A bound report in plain words, for people: what ε and each tier's ε̄ say about the model, and why a tier
// certifies nothing when it does not.
import type { BoundReport } from './bound.js';
import type { TierResult } from './certify.js';

const num = (x: number) => (Number.isFinite(x) ? x.toPrecision(4) : 'none');
const pct = (x: number) => `${(100 * x).toFixed(2)} %`;

/** The lines `npm run bound` prints without --json. */
export function boundSummary(r: BoundReport): string[] {
  const applies = r.eps_true < r.signal;
  const lines = [
    `ε = ${num(r.eps_true)} against a signal of ${num(r.signal)}; the model itself is right on ${pct(r.accuracy)} of the p² inputs (proven ${r.accuracy_range.map(pct).join(' to ')})`,
    applies
      ? `the explanation's error is ${(100 * r.eps_true / r.signal).toFixed(1)} % of the logits it explains`
      : 'ε ≥ signal: the explanation does not apply to this model (its error is as large as the logits it explains)',
  ];
  const tier = (name: string, t: TierResult) => {
    const head = `${name}: ε̄ ${num(t.eps_bound)}, certifies ${pct(t.certified_accuracy)} of inputs (${t.flops.toExponential(2)} flops, ${t.seconds.toFixed(2)} s)`;
    if (t.certified_accuracy > 0) return head;
    if (t === r.tiers.brute_force) return `${head}; nothing: the model answers no input right by more than its rounding radius`;
    // The certification rule (tiers.ts): an input is certified when its logit margin exceeds 2ε̄ (plus rounding slack).
    const why = t.eps_bound >= r.signal ? `nothing: ε̄ is at least the signal, so it leaves no input's answer certain`
        : `nothing: no input's logit margin exceeds 2ε̄ = ${num(2 * t.eps_bound)}`;
    return `${head}; ${why}`;
  };
  const t = r.tiers;
  lines.push(tier('brute_force', t.brute_force));
  if (r.refused) lines.push(`per_shift and compressed: not run, as ${r.refused}`);
  else lines.push(tier('per_shift', t.per_shift), tier('compressed', t.compressed));
  if (t.compressed.uniform) lines.push(tier('  its uniform bound', t.compressed.uniform));
  const b = t.compressed.uniform?.blocking;
  if (b) lines.push(`    to certify 99 % it would need ε̄ ≤ ${num(b.eps_for_99_percent)}; its terms: ${Object.entries(b.parts).map(([k, v]) => `${k} ${num(v)}`).join(', ')}`);
  lines.push(`devices: forward ${r.devices.forward}, brute_force ${r.devices.brute_force}, per_shift ${r.devices.per_shift}, compressed ${r.devices.compressed}${r.devices.note ? ` (${r.devices.note})` : ''}`);
  return lines;
}

// Least-squares lines for the sweep's scaling laws: y ≈ slope·x + intercept, and log-log slopes with an interval.

export interface Line { slope: number; intercept: number; /** Standard error of the slope (NaN with fewer than 3 points). */ se: number; n: number }

export function fitLine(x: readonly number[], y: readonly number[]): Line {
  const n = x.length;
  const mx = x.reduce((s, v) => s + v, 0) / n;
  const my = y.reduce((s, v) => s + v, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (x[i] - mx) ** 2;
    sxy += (x[i] - mx) * (y[i] - my);
  }
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  let rss = 0;
  for (let i = 0; i < n; i++) rss += (y[i] - intercept - slope * x[i]) ** 2;
  return { slope, intercept, se: n > 2 ? Math.sqrt(rss / (n - 2) / sxx) : NaN, n };
}

/** Student's t quantile at 0.975 for df degrees of freedom (two-sided 95 %). */
export function t975(df: number): number {
  const table = [NaN, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086];
  return df < table.length ? table[df] : df < 30 ? 2.06 : df < 60 ? 2.02 : 1.98;
}

export interface Slope {
  slope: number;
  /** 95 % interval: from the spread of the per-seed slopes when there are several seeds, else from the fit's standard error. */
  lo: number;
  hi: number;
  /** Points fitted, and the slope fitted to each seed's points alone. */
  n: number;
  per_seed: Record<string, number>;
  intercept: number;
}

/**
 * The slope of log y against log x over every point with x, y > 0 (null with fewer than two distinct x), pooled over
 * seeds; its interval is mean ± t·sd/√S of the S per-seed slopes (seed-to-seed variation is what a rerun would see).
 */
export function logLogSlope(points: readonly { x: number; y: number; seed: string }[]): Slope | null {
  const ok = points.filter((q) => q.x > 0 && q.y > 0 && Number.isFinite(q.x) && Number.isFinite(q.y));
  if (new Set(ok.map((q) => q.x)).size < 2) return null;
  const fit = (qs: typeof ok) => fitLine(qs.map((q) => Math.log(q.x)), qs.map((q) => Math.log(q.y)));
  const all = fit(ok);
  const per_seed: Record<string, number> = {};
  for (const seed of new Set(ok.map((q) => q.seed))) {
    const qs = ok.filter((q) => q.seed === seed);
    if (new Set(qs.map((q) => q.x)).size >= 2) per_seed[seed] = fit(qs).slope;
  }
  const s = Object.values(per_seed);
  let half: number;
  if (s.length >= 2) {
    const m = s.reduce((a, b) => a + b, 0) / s.length;
    const sd = Math.sqrt(s.reduce((a, b) => a + (b - m) ** 2, 0) / (s.length - 1));
    half = (t975(s.length - 1) * sd) / Math.sqrt(s.length);
  } else {
    half = t975(all.n - 2) * all.se;
  }
  return { slope: all.slope, lo: all.slope - half, hi: all.slope + half, n: all.n, per_seed, intercept: all.intercept };
}

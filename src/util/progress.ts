// A progress line on stderr: redrawn in place on a terminal, one line per update otherwise (logs, CI).

export class Progress {
  private readonly t0 = performance.now();
  private readonly tty = process.stderr.isTTY;

  /** `start` steps and `elapsedBefore` seconds were done before this process (a resumed run): the clock continues from them, the rate counts only this process's steps. */
  constructor(private readonly label: string, private readonly total: number, private readonly start = 0, private readonly elapsedBefore = 0) {}

  update(done: number, detail = ''): void {
    const frac = this.total ? done / this.total : 1;
    const since = (performance.now() - this.t0) / 1000;
    const elapsed = this.elapsedBefore + since;
    const rate = (done - this.start) / Math.max(since, 1e-9);
    const eta = rate > 0 ? (this.total - done) / rate : NaN;
    const width = 24;
    const bar = '█'.repeat(Math.round(frac * width)).padEnd(width, '░');
    const line = `${this.label} ${bar} ${done}/${this.total} ${fmtTime(elapsed)} elapsed, ETA ${fmtTime(eta)} ${detail}`;
    process.stderr.write(this.tty ? `\r\x1b[K${line}` : `${line}\n`);
  }

  done(): void {
    if (this.tty) process.stderr.write('\n');
  }
}

export function fmtTime(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = Math.floor(s % 60);
  return h ? `${h}h${String(m).padStart(2, '0')}m` : m ? `${m}m${String(sec).padStart(2, '0')}s` : `${(s % 60).toFixed(1)}s`;
}

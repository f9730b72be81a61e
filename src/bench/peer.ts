// The PyTorch peer of the training benchmark (issue 6): the same canonical model, data, initialisation and
// optimiser trained by scripts/peer/train_torch.py under Debian's python3-torch with OpenBLAS. Installing
// them (scripts/peer/setup_peer.sh) happens here, only when the benchmark asks for the peer.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const PEER_DIR = fileURLToPath(new URL('../../scripts/peer/', import.meta.url));
export const SCRIPT = `${PEER_DIR}train_torch.py`;
const SETUP = `${PEER_DIR}setup_peer.sh`;
/** python3-torch installs into Debian's interpreter; a pyenv python3 earlier on PATH would lack it. */
export const DEBIAN_PYTHON = '/usr/bin/python3';

export interface PeerBenchOptions {
  /** Torch (and OpenBLAS) thread counts to time, each in its own process. Default [1, 2]. */
  threads?: number[];
  /** Timed steps per thread count, after `warmup` untimed ones. Defaults 30 and 5. */
  steps?: number;
  warmup?: number;
  /** Install python3-torch and OpenBLAS when missing (apt-get, needs root or sudo). Default true. */
  install?: boolean;
  /** Also train to 100 % test accuracy (minutes) with the fastest thread count, up to this many steps. */
  trainTo100MaxSteps?: number;
  /** Niceness of the peer's processes, so a long run yields to other work on the machine. Default 0. */
  nice?: number;
  /** The interpreter that has torch. Default /usr/bin/python3. */
  python?: string;
}

export interface PeerRun { threads: number; step_ms_median: number; step_ms_mean: number; step_ms_min: number; steps: number }

export interface PeerTrainTo100 { reached: boolean; steps: number; wall_s: number; step_ms_mean: number; threads: number; test_acc: number; test_loss: number }

export interface PeerBench {
  /** The peer's best median step over the thread counts tried: the number the project is compared with. */
  step_ms_median: number;
  best_threads: number;
  runs: PeerRun[];
  torch_version: string;
  python: string;
  /** 'openblas' when torch's libblas.so.3 resolves to OpenBLAS (checked in the running process). */
  blas: string;
  blas_libs: string[];
  batch: number;
  train_to_100?: PeerTrainTo100 | { skipped: string };
}

export type PeerResult = PeerBench | { skipped: string };

interface Proc { code: number; stdout: string; stderr: string }

function run(cmd: string, args: string[], nice: number): Promise<Proc> {
  const [file, argv] = nice ? ['nice', ['-n', String(nice), cmd, ...args]] : [cmd, args];
  return new Promise((resolve) => {
    execFile(file, argv, { maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr: stderr || (err && code !== 0 ? String(err.message) : '') });
    });
  });
}

/** The JSON object the script prints as its last stdout line. */
function lastJson(p: Proc, what: string): Record<string, unknown> {
  const line = p.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    throw new Error(`${what}: exit ${p.code}, no JSON on stdout; stderr: ${tail(p.stderr)}`);
  }
}

const tail = (s: string) => s.trim().split('\n').slice(-3).join(' | ') || '(empty)';

/** Ready when torch imports under Debian's python and its BLAS is OpenBLAS; otherwise why not. */
async function ready(python: string, nice: number): Promise<string | undefined> {
  const p = await run(python, [SCRIPT, '--check'], nice);
  return p.code === 0 ? undefined : tail(p.stderr);
}

function positiveInt(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 1) throw new Error(`benchPeer: ${name} = ${v} must be an integer ≥ 1`);
  return v;
}

/** Make torch ready under `python` (installing it if allowed); undefined when ready, else why not. */
export async function preparePeer(python: string, install: boolean, nice = 0): Promise<string | undefined> {
  let why = await ready(python, nice);
  if (why && install) {
    const s = await run('bash', [SETUP], 0);
    if (s.code !== 0) return `PyTorch peer not installed: setup_peer.sh exited ${s.code}: ${tail(s.stderr)}`;
    why = await ready(python, nice);
  }
  return why && `PyTorch peer not ready under ${python}: ${why}`;
}

/** Time the PyTorch peer's canonical training step; a reason instead when torch cannot be made ready. */
export async function benchPeer(opts: PeerBenchOptions = {}): Promise<PeerResult> {
  const threads = (opts.threads ?? [1, 2]).map((t) => positiveInt('threads', t));
  if (!threads.length) throw new Error('benchPeer: threads must list at least one thread count');
  const steps = positiveInt('steps', opts.steps ?? 30);
  const warmup = positiveInt('warmup', opts.warmup ?? 5);
  const nice = opts.nice ?? 0;
  const python = opts.python ?? DEBIAN_PYTHON;

  const why = await preparePeer(python, opts.install ?? true, nice);
  if (why) return { skipped: why };

  const runs: PeerRun[] = [];
  let info: Record<string, unknown> = {};
  for (const t of threads) {
    const p = await run(python, [SCRIPT, '--bench-steps', String(steps), '--warmup', String(warmup), '--threads', String(t)], nice);
    if (p.code !== 0) return { skipped: `PyTorch peer bench failed (threads ${t}): exit ${p.code}: ${tail(p.stderr)}` };
    info = lastJson(p, `train_torch.py --bench-steps (threads ${t})`);
    runs.push({ threads: t, step_ms_median: info.step_ms_median as number, step_ms_mean: info.step_ms_mean as number, step_ms_min: info.step_ms_min as number, steps });
  }
  const best = runs.reduce((a, b) => (b.step_ms_median < a.step_ms_median ? b : a));
  const out: PeerBench = {
    step_ms_median: best.step_ms_median,
    best_threads: best.threads,
    runs,
    torch_version: info.torch_version as string,
    python: info.python as string,
    blas: info.blas as string,
    blas_libs: info.blas_libs as string[],
    batch: info.batch as number,
  };
  if (opts.trainTo100MaxSteps !== undefined) {
    const max = positiveInt('trainTo100MaxSteps', opts.trainTo100MaxSteps);
    const p = await run(python, [SCRIPT, '--train-to-100', '--max-steps', String(max), '--threads', String(best.threads)], nice);
    if (p.code !== 0) {
      out.train_to_100 = { skipped: `train_torch.py --train-to-100 failed: exit ${p.code}: ${tail(p.stderr)}` };
    } else {
      const r = lastJson(p, 'train_torch.py --train-to-100');
      out.train_to_100 = {
        reached: r.reached as boolean, steps: r.steps as number, wall_s: r.wall_s as number, step_ms_mean: r.step_ms_mean as number,
        threads: best.threads, test_acc: r.test_acc as number, test_loss: r.test_loss as number,
      };
    }
  }
  return out;
}

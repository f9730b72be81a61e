// Host memory: a job whose arrays would not fit is refused before it allocates them, with its estimate and
// the limit, rather than swapping or being OOM-killed without a word. Each estimate sits beside the code
// whose arrays it counts (boundMemoryBytes, analyzeMemoryBytes, trainMemoryBytes).
import { readFileSync } from 'node:fs';
import { totalmem } from 'node:os';

/** Overrides the limit: bytes, or with a unit (`8G`, `512M`, `64GiB`). */
export const MEMORY_LIMIT_ENV = 'PIZZA_MEMORY_LIMIT';

const UNITS: Record<string, number> = { '': 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 };

/** Bytes from "123", "1e9", "8G", "512MiB"; undefined if it is none of these. */
export function parseBytes(s: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?(?:e\d+)?)\s*([KMGT]?)(?:i?B)?\s*$/i.exec(s);
  return m ? Number(m[1]) * UNITS[m[2].toUpperCase()] : undefined;
}

/** Half the machine's memory (or of the cgroup's limit, in a container), or $PIZZA_MEMORY_LIMIT. */
export function memoryLimit(env = process.env): { bytes: number; source: string } {
  const set = env[MEMORY_LIMIT_ENV];
  if (set !== undefined) {
    const bytes = parseBytes(set);
    if (bytes === undefined) throw new Error(`${MEMORY_LIMIT_ENV}=${set}: expected bytes, or a number with K, M, G or T`);
    return { bytes, source: `${MEMORY_LIMIT_ENV}=${set}` };
  }
  let total = totalmem();
  try {
    const cg = Number(readFileSync('/sys/fs/cgroup/memory.max', 'utf8'));
    if (Number.isFinite(cg) && cg > 0) total = Math.min(total, cg);
  } catch {
    // No cgroup v2 limit to honour.
  }
  return { bytes: total / 2, source: `half of this machine's ${gb(total)}; set ${MEMORY_LIMIT_ENV} to change it` };
}

const gb = (bytes: number) => `${(bytes / 2 ** 30).toPrecision(3)} GiB`;

/** Throw, with the estimate and the limit, when `bytes` exceeds the memory limit. */
export function checkMemory(bytes: number, what: string, env = process.env): void {
  const limit = memoryLimit(env);
  if (bytes > limit.bytes) throw new Error(`${what} needs about ${gb(bytes)} of memory, over the limit of ${gb(limit.bytes)} (${limit.source})`);
}

// Where and with what a run was made, recorded in its config.json: enough to tell two runs' circumstances
// apart (another commit, driver or package version) when their numbers differ.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

export interface Provenance {
  /** When the run started (ISO 8601, UTC). */
  created: string;
  /** The project's git commit, and whether the work tree had uncommitted changes; absent outside a git checkout. */
  git?: { commit: string; dirty: boolean };
  node: string;
  /** The project's version and the installed version of each of its runtime dependencies. */
  packages: Record<string, string>;
  /** The WebGPU adapter that trained it (absent on the CPU backend): Dawn's vendor, architecture, device and driver description. */
  adapter?: { vendor: string; architecture: string; device: string; description: string };
}

const ROOT = new URL('../../', import.meta.url).pathname;
const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as { version: string; dependencies?: Record<string, string> };

export function provenance(adapter?: GPUAdapter): Provenance {
  const pkg = readJson(`${ROOT}package.json`);
  const installed = Object.keys(pkg.dependencies ?? {}).map((name) => {
    const file = `${ROOT}node_modules/${name}/package.json`;
    return [name, existsSync(file) ? readJson(file).version : 'missing'];
  });
  const info = adapter?.info;
  return {
    created: new Date().toISOString(),
    ...gitState(),
    node: process.version,
    packages: Object.fromEntries([['pizza-quadrature', pkg.version], ...installed]),
    ...(info && { adapter: { vendor: info.vendor, architecture: info.architecture, device: info.device, description: info.description } }),
  };
}

function gitState(): { git?: Provenance['git'] } {
  try {
    const git = (...args: string[]) => execFileSync('git', ['-C', ROOT, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return { git: { commit: git('rev-parse', 'HEAD'), dirty: git('status', '--porcelain', '--untracked-files=no') !== '' } };
  } catch {
    return {}; // no git, or not a checkout (an installed copy)
  }
}

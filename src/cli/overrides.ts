// The training overrides (src/train/config.ts OVERRIDES) as command-line options, for every command that
// trains: `train`, and `main` or `sweep` when they pass overrides on.
import { Option } from '@commander-js/extra-typings';
import { OVERRIDES, presetValues } from '../train/config.js';

interface HasOptions { addOption(o: Option): unknown }

/** Add `--<flag> <value>` for every override, its help showing each preset's default. */
export function addOverrideOptions<C extends HasOptions>(cmd: C): C {
  for (const o of OVERRIDES) cmd.addOption(new Option(`--${o.flag} <value>`, `${o.help} (default: ${presetValues(o)})`));
  return cmd;
}

/** The overrides given on the command line, as applyOverrides takes them: [flag, value] in OVERRIDES order. */
export function givenOverrides(opts: object): [string, string][] {
  const given = opts as Record<string, string | undefined>;
  // Commander's key for a flag: `--d-mlp` is `dMlp`.
  const key = (flag: string) => flag.replace(/-(.)/g, (_, c: string) => c.toUpperCase());
  return OVERRIDES.filter((o) => given[key(o.flag)] !== undefined).map((o) => [o.flag, given[key(o.flag)]!]);
}

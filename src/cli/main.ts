// Shared command-line plumbing, on commander: every command gets the same help layout, typed options, and
// the project's error convention (one line `error: …` on stderr, exit 2; --help exits 0).
import { Command, InvalidArgumentError, type OptionValues } from '@commander-js/extra-typings';

/**
 * A command named as the user runs it (`npm run <name> -- …`), with the project's conventions: a typo gets
 * one line with commander's suggestion ("did you mean --d-mlp?"), never the whole usage; a value that
 * starts with '-' (`--M -5`) is taken as the value, so the option's own check names the flag; stray
 * arguments are errors. Add options with `.option()`/`.addOption()`, then hand it to `runCommand`.
 */
export function command(name: string, description: string) {
  return new Command(`npm run ${name} --`)
    .description(description)
    .helpOption('-h, --help', 'show this help')
    .configureHelp({ helpWidth: 120 })
    .showSuggestionAfterError(true)
    .allowExcessArguments(false)
    .configureOutput({ outputError: (str, write) => write(oneLine(str)) })
    .exitOverride((e) => process.exit(e.exitCode === 0 ? 0 : 2));
}

/** Commander's two-line suggestion ("…\n(Did you mean --x?)") as one line. */
const oneLine = (s: string) => `${s.replace(/\n\(Did you mean (.*)\?\)/, ' (did you mean $1?)').trimEnd().replace(/\n+/g, ' ')}\n`;

/** Parse argv with `cmd`, then run `body` with the typed options and arguments; a thrown error becomes `error: <message>`, exit 2. */
export function runCommand<A extends unknown[], O extends OptionValues>(cmd: Command<A, O>, body: (opts: O, args: A) => Promise<void>, argv = process.argv.slice(2)): void {
  cmd.parse(argv, { from: 'user' });
  runCli(() => body(cmd.opts(), cmd.processedArgs));
}

/** An option parser for an integer in [min, max] (`.option('--M <n>', '…', integer(4, 1e6), 4)`). */
export const integer = (min: number, max = Number.MAX_SAFE_INTEGER) => (v: string): number => {
  const n = Number(v);
  if (v.trim() === '' || !Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`expected an integer in ${min}..${max}`);
  return n;
};

export function fail(message: string): never {
  process.stderr.write(`error: ${message}\n`);
  process.exit(2);
}

/** Run a command's body, turning any thrown error into a clear message and a non-zero exit (a body may set process.exitCode). */
export function runCli(body: () => Promise<void>): void {
  body().then(
    () => process.exit(),
    (e: unknown) => fail(e instanceof Error ? e.message : String(e)),
  );
}

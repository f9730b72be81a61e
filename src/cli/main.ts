// Shared command-line plumbing: errors become one clear line on stderr and exit code 2.
import { parseArgs, type ParseArgsConfig } from 'node:util';

export type Options = NonNullable<ParseArgsConfig['options']>;

/** Parse argv strictly; on a bad flag, print the problem and the usage, and exit 2. */
export function parse(options: Options, usage: string, argv = process.argv.slice(2)) {
  try {
    return parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: false });
  } catch (e) {
    fail(`${(e as Error).message}\n\n${usage}`);
  }
}

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

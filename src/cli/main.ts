import { Command, CommanderError, Option } from 'commander';
import { ApimopsError, formatDiagnostic, isUserError } from '../shared/errors.js';
import { EXIT_ERROR, EXIT_OK, type ExitCode } from '../shared/exit-codes.js';
import { COMMANDS } from './commands/index.js';
import { processIO, type CliIO } from './io.js';

export const VERSION = '0.1.0';

/**
 * Builds the commander program. Commands set the exit code through `setExit`; nothing here calls
 * `process.exit`, so `runCli` can run in-process in tests. `only`: define just this command in full (the one an
 * argv runs, see `invokedCommand`) and the others by name and summary, for `apimops --help`; by default every
 * command is loaded.
 */
export async function buildProgram(io: CliIO, setExit: (code: ExitCode) => void, only?: string): Promise<Command> {
  const program = new Command('apimops')
    .description('Configuration-as-code for Azure API Management: extract, diff, publish, lint, serve.')
    .version(VERSION, '--version')
    .option('--config <file>', 'apimops.yaml to use (default: searched upward from the current folder)')
    .option('-v, --verbose', 'more output on stderr')
    .option('--no-color', 'no colour, even on a terminal')
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (s) => io.stdout(s),
      writeErr: (s) => io.stderr(s),
      outputError: (s, write) => write(s),
    })
    .exitOverride();
  program.addHelpText(
    'after',
    '\nExit codes: 0 success, 1 findings/changes/failed cases/partial publish, 2 usage/config/auth/runtime error.\n' +
      'Run `apimops <command> --help` for a command\'s flags and an example.\n',
  );
  const wanted = only === undefined ? COMMANDS : COMMANDS.filter((c) => c.name === only);
  const modules = new Map(await Promise.all(wanted.map(async (c) => [c.name, await c.load()] as const)));
  for (const entry of COMMANDS) {
    const cmd = program.command(entry.name).summary(entry.summary).description(entry.summary);
    cmd.exitOverride().showSuggestionAfterError(true);
    cmd.configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) });
    const mod = modules.get(entry.name);
    if (!mod) continue;
    cmd.addHelpText('after', `\n${mod.examples}\n`);
    mod.define(cmd, io, setExit);
  }
  return program;
}

/**
 * The command an argv (without node and script) runs: the first word that is not a global option or the value
 * of one (`apimops [--config <file>] [-v] [--no-color] <command> …`), or the command after `help`. Undefined for
 * `apimops`, `apimops --help` or `apimops --version`.
 */
export function invokedCommand(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!;
    if (word === '--config') i++; // its value
    else if (!word.startsWith('-')) return word === 'help' ? args.slice(i + 1).find((w) => !w.startsWith('-')) : word;
  }
  return undefined;
}

/** Adds `--output text|json` to a command (CLI.md: "where a command has a result"). */
export function outputOption(): Option {
  return new Option('--output <format>', 'result format').choices(['text', 'json']).default('text');
}

/** Runs the CLI with `argv` (as process.argv: node, script, args…) and returns the exit code. */
export async function runCli(argv: readonly string[], io: CliIO = processIO()): Promise<ExitCode> {
  let exitCode: ExitCode = EXIT_OK;
  try {
    const program = await buildProgram(
      io,
      (code) => {
        exitCode = code;
      },
      invokedCommand(argv.slice(2)) ?? '',
    );
    await program.parseAsync([...argv]);
    return exitCode;
  } catch (err) {
    return reportError(err, io);
  }
}

/** Maps anything thrown out of a command to a message and an exit code: no stack trace for a user mistake. */
export function reportError(err: unknown, io: CliIO): ExitCode {
  if (err instanceof CommanderError) {
    // --help and --version "fail" with these codes; they are successes.
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') {
      return EXIT_OK;
    }
    // commander has already written its one-line message; add the way out.
    io.stderr('hint: run `apimops --help` for the list of commands and flags\n');
    return EXIT_ERROR;
  }
  if (isUserError(err)) {
    for (const d of err.diagnostics) io.stderr(`${formatDiagnostic(d)}\n`);
    io.stderr(`apimops: ${err.message}\n`);
    if (err.hint) io.stderr(`hint: ${err.hint}\n`);
    return EXIT_ERROR;
  }
  if (err instanceof ApimopsError && err.isUserError()) {
    io.stderr(`apimops: ${err.message}\n`);
    return EXIT_ERROR;
  }
  const e = err instanceof Error ? err : new Error(String(err));
  io.stderr(`apimops: internal error: ${e.message}\n${e.stack ?? ''}\nThis is a bug in apimops; please report it.\n`);
  return EXIT_ERROR;
}

/** Entry point used by bin/apimops.js. */
export async function run(argv: readonly string[]): Promise<void> {
  const code = await runCli(argv);
  process.exitCode = code;
}

/**
 * Runs `apimops diff` / `apimops publish` in-process the way `src/cli/main.ts` does (same global options, same
 * error reporting), with only these two commands registered: the scenarios do not depend on the rest of the
 * CLI compiling while it is being built.
 */
import { Command } from 'commander';
import { formatDiagnostic, isUserError } from '../../src/shared/errors.js';
import type { CliIO } from '../../src/cli/io.js';
import { command as diff } from '../../src/cli/commands/diff.js';
import { command as publish } from '../../src/cli/commands/publish.js';
import { EXIT_ERROR, EXIT_OK, type ExitCode } from '../../src/shared/exit-codes.js';

/** `reportError` of src/cli/main.ts for what these commands throw (kept in step by the CLI tests). */
function reportError(err: unknown, io: CliIO): ExitCode {
  if (isUserError(err)) {
    for (const d of err.diagnostics) io.stderr(`${formatDiagnostic(d)}\n`);
    io.stderr(`apimops: ${err.message}\n`);
    if (err.hint) io.stderr(`hint: ${err.hint}\n`);
    return EXIT_ERROR;
  }
  const e = err instanceof Error ? err : new Error(String(err));
  io.stderr(`apimops: internal error: ${e.message}\n${e.stack ?? ''}\n`);
  return EXIT_ERROR;
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runDiffPublish(args: string[], cwd: string, env: Record<string, string>): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), env: { ...env }, cwd, interactive: false, color: false };
  let code: ExitCode = EXIT_OK;
  const program = new Command('apimops').option('--config <file>').exitOverride();
  program.configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  for (const [name, mod] of [['diff', diff], ['publish', publish]] as const) {
    const cmd = program.command(name).exitOverride();
    cmd.configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
    mod.define(cmd, io, (c) => (code = c));
  }
  try {
    await program.parseAsync(['node', 'apimops', ...args]);
  } catch (err) {
    code = reportError(err, io);
  }
  return { code, stdout, stderr };
}

import { Command } from 'commander';
import { command as lint } from '../../src/cli/commands/lint.js';
import type { CliIO } from '../../src/cli/io.js';
import { formatDiagnostic, isUserError } from '../../src/shared/errors.js';
import type { ExitCode } from '../../src/shared/exit-codes.js';

/**
 * Runs `apimops lint …` in-process with the same global options as `src/cli/main.ts`, through the real
 * command module, capturing stdout/stderr. (Only the lint command is registered, so the test does not
 * depend on other commands' modules.) User errors print as main.ts prints them and exit 2.
 */
export async function runLint(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<{ code: ExitCode; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  let code: ExitCode = 0;
  const io: CliIO = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), env, cwd, interactive: false, color: false };
  const program = new Command('apimops').option('--config <file>').option('-v, --verbose').option('--no-color').exitOverride();
  program.configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  const cmd = program.command('lint').exitOverride();
  cmd.configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  lint.define(cmd, io, (c) => void (code = c));
  try {
    await program.parseAsync(['node', 'apimops', 'lint', ...args]);
  } catch (err) {
    if (isUserError(err)) {
      stderr += `apimops: ${err.message}\n`;
      for (const d of err.diagnostics) stderr += `${formatDiagnostic(d)}\n`;
      if (err.hint) stderr += `hint: ${err.hint}\n`;
      return { code: 2, stdout, stderr };
    }
    if (err && typeof err === 'object' && 'exitCode' in err) return { code: 2, stdout, stderr };
    throw err;
  }
  return { code, stdout, stderr };
}

import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Option } from 'commander';
import type { CommandModule } from '../command.js';
import type { CliIO } from '../io.js';
import { EXIT_FINDINGS, EXIT_OK, type ExitCode } from '../../shared/exit-codes.js';
import { DiagnosticsError, UserError } from '../../shared/errors.js';
import { loadConfig, resolveArtifactsFolder } from '../../artifacts/config.js';
import { FORMATTERS, summaryLine, TEST_FORMATS, type TestFormat } from '../../testing/report/index.js';

interface TestFlags {
  cases?: string;
  format: TestFormat;
  store?: string;
  outputFile?: string;
  parallelism?: string;
}

/**
 * `apimops test`: runs the folder's test cases (`tests/**\/*.test.yaml`) through the local gateway with mock
 * backends. Exit 0 when every case passes, 1 when any fails, 2 when a case file or the folder is invalid.
 * Expectations are written by people: there is deliberately no `--update`.
 */
export const command: CommandModule = {
  examples: `Example:
  apimops test artifacts-sample
  apimops test artifacts-sample --cases 'tests/auth*.test.yaml'
  apimops test artifacts-sample --format junit --output-file test-results.xml`,
  define(cmd, io, setExit) {
    cmd
      .usage('[<folder>] [--cases <glob>] [--format text|json|junit] [--output-file <file>] [--store memory|redis://host:port] [--parallelism <n>]')
      .argument('[folder]', 'the artifact folder (default: artifacts of apimops.yaml, else .)')
      .option('--cases <glob>', 'case files: a file, a folder, or a glob relative to the folder (default tests/**/*.test.yaml)')
      .addOption(new Option('--format <format>', 'report format').choices([...TEST_FORMATS]).default('text'))
      .option('--output-file <file>', 'write the report to a file (a one-line summary still goes to stdout)')
      .option('--store <url>', 'memory (default, one per case) or redis://host:port (one namespace per case)')
      .option('--parallelism <n>', 'cases run at once (default: cores, at most 4)')
      .action(async (folder: string | undefined, flags: TestFlags) => {
        const globals = cmd.parent?.opts() as { config?: string } | undefined;
        setExit(await runTestCommand(io, folder, flags, globals?.config));
      });
  },
};

async function runTestCommand(io: CliIO, folderArg: string | undefined, flags: TestFlags, configPath: string | undefined): Promise<ExitCode> {
  const config = loadConfig({ cwd: io.cwd, configPath, env: io.env });
  const folder = resolveArtifactsFolder(config, io.cwd, folderArg);
  const testConfig = config.config.test ?? {};
  const parallelism = flags.parallelism === undefined ? undefined : Number(flags.parallelism);
  if (parallelism !== undefined && (!Number.isInteger(parallelism) || parallelism < 1)) {
    throw new UserError('E_USAGE', `--parallelism: "${flags.parallelism}" is not a whole number of at least 1`);
  }
  // The test runner starts gateways: it (and the gateway) is loaded only when `apimops test` runs.
  const { loadCaseFiles, runTests } = await import('../../testing/index.js');
  const { files, diagnostics, paths } = loadCaseFiles(folder, flags.cases ?? testConfig.cases, io.cwd);
  if (diagnostics.length > 0) {
    throw new DiagnosticsError('E_CONFIG', `${diagnostics.length} problem${diagnostics.length === 1 ? '' : 's'} in test case files; no case was run`, diagnostics);
  }
  if (paths.length === 0) {
    io.stderr(`apimops test: no test case files found (${flags.cases ?? testConfig.cases ?? 'tests/**/*.test.yaml'} under ${folder})\n`);
    return EXIT_OK;
  }
  const result = await runTests(files, {
    cwd: io.cwd,
    env: io.env,
    configPath,
    folder: folderArg,
    store: flags.store ?? testConfig.store,
    ...(parallelism !== undefined ? { concurrency: parallelism } : {}),
  });
  const report = FORMATTERS[flags.format](result, { color: io.color && !flags.outputFile });
  if (flags.outputFile) {
    writeFileSync(resolve(io.cwd, flags.outputFile), report);
    io.stdout(`${summaryLine(result, { color: io.color })} → ${flags.outputFile}\n`);
  } else io.stdout(report);
  return result.failed > 0 ? EXIT_FINDINGS : EXIT_OK;
}

import type { Command } from 'commander';
import type { ExitCode } from '../shared/exit-codes.js';
import type { CliIO } from './io.js';

/**
 * One CLI command: one file under `commands/`, one line (its name, summary and loader) in `commands/index.ts`.
 * `define` adds options/arguments to the commander `Command` and sets its action; the action returns the
 * exit code instead of calling `process.exit`, so commands run in-process in tests.
 */
export interface CommandModule {
  /** Shown after `apimops <cmd> --help`: at least one example. */
  examples: string;
  define(cmd: Command, io: CliIO, setExit: (code: ExitCode) => void): void;
}

/** Options every command understands (CLI.md "Global"). */
export interface GlobalOptions {
  config?: string;
  verbose?: boolean;
  color?: boolean;
  output?: 'text' | 'json';
}

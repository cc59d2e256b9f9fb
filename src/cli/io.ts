/**
 * What a command may touch of the outside world. Commands receive it instead of using `process`, so tests
 * run them in-process with captured output.
 */
import { relaunchWithV8Flags } from './relaunch.js';

export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** stdout/stderr are interactive terminals and CI is unset: ink and colour are allowed. */
  interactive: boolean;
  color: boolean;
  /**
   * Runs this command line again in a child node with V8 start-up flags and resolves with its exit code
   * (relaunch.ts). Only the real process has it: commands run in-process by tests never relaunch.
   */
  relaunch?: (v8Flags: readonly string[]) => Promise<number>;
}

export function processIO(): CliIO {
  const env = process.env;
  const isTTY = Boolean(process.stderr.isTTY);
  const interactive = isTTY && !env.CI;
  const color = env.FORCE_COLOR ? env.FORCE_COLOR !== '0' : !env.NO_COLOR && isTTY;
  watchStdout();
  return {
    stdout: (t) => void (stdoutClosed || process.stdout.write(t)),
    stderr: (t) => void process.stderr.write(t),
    env,
    cwd: process.cwd(),
    interactive,
    color,
    relaunch: relaunchWithV8Flags,
  };
}

/**
 * A reader that stops early (`apimops lint | head`) closes the pipe: the rest of the output has nowhere to go,
 * and the command finishes with its own exit code instead of dying of an unhandled EPIPE with a stack trace.
 */
let stdoutClosed = false;
let watchingStdout = false;
function watchStdout(): void {
  if (watchingStdout) return;
  watchingStdout = true;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    stdoutClosed = true;
  });
}

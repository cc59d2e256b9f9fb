/**
 * What a command may touch of the outside world. Commands receive it instead of using `process`, so tests
 * run them in-process with captured output.
 */
export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** stdout/stderr are interactive terminals and CI is unset: ink and colour are allowed. */
  interactive: boolean;
  color: boolean;
}

export function processIO(): CliIO {
  const env = process.env;
  const isTTY = Boolean(process.stderr.isTTY);
  const interactive = isTTY && !env.CI;
  const color = env.FORCE_COLOR ? env.FORCE_COLOR !== '0' : !env.NO_COLOR && isTTY;
  return {
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
    env,
    cwd: process.cwd(),
    interactive,
    color,
  };
}

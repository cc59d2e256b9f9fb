/**
 * `apimops lint` as a process, through the real lint command module (test/lint/cli-harness.ts), for the
 * pre-commit hook test: the hook runs it as `apimops` from PATH. Exits with the command's exit code.
 */
import { runLint } from './cli-harness.js';

const args = process.argv.slice(2);
if (args[0] !== 'lint') {
  process.stderr.write('lint-bin: only `apimops lint` is available here\n');
  process.exit(2);
}
const r = await runLint(args.slice(1), process.cwd(), process.env);
process.stdout.write(r.stdout);
process.stderr.write(r.stderr);
process.exit(r.code);

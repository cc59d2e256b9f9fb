import { notBuilt } from './not-built.js';

export const command = notBuilt(
  'lint',
  'Lint policy XML and artifact files (missing <base />, undefined references, ...)',
  '[<folder>...] [--format stylish|json|sarif|junit|github] [--output-file <file>] [--fail-severity error|warn|info] [--rule <id>=<severity>]... [--quiet]',
  `Example:
  apimops lint artifacts --format sarif --output-file lint.sarif`,
);

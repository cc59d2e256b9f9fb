import { notBuilt } from './not-built.js';

export const command = notBuilt(
  'init',
  'Scaffold apimops.yaml, environments, CI pipelines and a pre-commit hook',
  '[--ci github|azure-pipelines] [--pre-commit] [--from-sample] [--force]',
  `Example:
  apimops init --ci github --pre-commit`,
);

import { notBuilt } from './not-built.js';

export const command = notBuilt(
  'render',
  'Print the effective state of a folder after an environment\'s overrides',
  '[<folder>] --env <name> [--output text|json]',
  `Example:
  apimops render artifacts-sample --env dev`,
);

import { notBuilt } from './not-built.js';

export const command = notBuilt(
  'diff',
  'Show what changed between two commits, or between the folder and a live instance',
  '[<folder>] --from <git-ref> [--to <git-ref>] | [<folder>] --env <name> --live  [--exit-code] [--output json]',
  `Example:
  apimops diff --from origin/main --to HEAD
  apimops diff --env prod --live --exit-code`,
);

import { notBuilt } from './not-built.js';

export const command = notBuilt(
  'publish',
  'Publish the folder (or what a commit range changed) to an environment',
  '[<folder>] --env <name> [--from <git-ref> [--to <git-ref>]] [--prune] [--dry-run] [--parallelism <n>] [--yes] [--output json]',
  `Example:
  apimops publish --env dev --from HEAD~1 --dry-run`,
);

import { notBuilt } from './not-built.js';

export const command = notBuilt(
  'test',
  'Run policy test cases against the artifact folder through the local gateway',
  '[<folder>] [--cases <glob>] [--format text|json|junit] [--store ...]',
  `Example:
  apimops test artifacts-sample --format junit > results.xml`,
);

import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The shared design data (`../shared/` beside the repository: the policy corpus and the ARM examples).
 * CI clones the repository with `shared/` beside it; `APIMOPS_SHARED` points elsewhere. A missing folder
 * fails the tests that need it, loudly, instead of skipping them.
 */
export const SHARED_DIR = process.env.APIMOPS_SHARED ?? resolve(import.meta.dirname, '../../../shared');

function required(path: string): string {
  if (!existsSync(path)) {
    throw new Error(`shared test data not found at ${path} (clone the repository with shared/ beside it, or set APIMOPS_SHARED)`);
  }
  return path;
}

/** `../shared/corpus/policy-snippets` (59 real policy files). */
export const CORPUS_DIR = required(join(SHARED_DIR, 'corpus/policy-snippets'));
/** `../shared/fixtures/arm-apim-examples` (the official 2024-05-01 REST examples). */
export const ARM_FIXTURES_DIR = required(join(SHARED_DIR, 'fixtures/arm-apim-examples'));

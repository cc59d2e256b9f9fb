import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderRulesMarkdown } from '../../src/lint/docs.js';
import { RULES } from '../../src/lint/rules/index.js';

describe('docs/lint-rules.md', () => {
  it('documents every rule with an example and the fix, generated from the registry', () => {
    const file = readFileSync(join(import.meta.dirname, '../../docs/lint-rules.md'), 'utf8');
    expect(file).toBe(renderRulesMarkdown());
    for (const r of RULES) expect(file).toContain(`## ${r.id}\n`);
  });
});

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { folderSource } from '../../src/artifacts/folder-source.js';
import { lintSource } from '../../src/lint/run.js';

const CORPUS = join(import.meta.dirname, '../../../shared/corpus/policy-snippets');

describe('lint on the policy corpus (POLICY-ENGINE.md §7)', () => {
  it('lints all 59 files without a crash; the findings are pinned (review any change)', async () => {
    const result = await lintSource(folderSource(CORPUS));
    expect(result.ruleErrors).toEqual([]);
    expect(result.filesLinted).toBe(59);
    const lines = result.findings.map((f) => `${f.file}:${f.line}:${f.column}: ${f.severity} ${f.ruleId}: ${f.message}`);
    await expect(`${lines.join('\n')}\n`).toMatchFileSnapshot('./__snapshots__/corpus-findings.txt');
  });

  it('reports the corrupted files of §7 as errors with a position (parse or expression syntax)', async () => {
    const result = await lintSource(folderSource(CORPUS));
    const errorFiles = new Set(result.findings.filter((f) => f.severity === 'error' && (f.ruleId === 'policy-parse' || f.ruleId === 'expression-syntax')).map((f) => f.file));
    expect([...errorFiles].sort()).toEqual([
      'examples/Call out to an HTTP endpoint and cache the response.policy.xml',
      'examples/Loopback request for service at same API Management service.xml',
      'examples/Pre-authorize requests based on HTTP method with validate-jwt.policy.xml',
    ]);
  });
});

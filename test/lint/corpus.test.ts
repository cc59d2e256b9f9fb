import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { folderSource } from '../../src/artifacts/folder-source.js';
import { lintSource } from '../../src/lint/run.js';
import { CORPUS_DIR } from '../support/shared.js';

const CORPUS = CORPUS_DIR;

describe('lint on the policy corpus (POLICY-ENGINE.md §7)', () => {
  it('lints all 59 files without a crash; the findings are pinned (review any change)', async () => {
    const result = await lintSource(folderSource(CORPUS));
    expect(result.ruleErrors).toEqual([]);
    expect(result.filesLinted).toBe(59);
    const lines = result.findings.map((f) => `${f.file}:${f.line}:${f.column}: ${f.severity} ${f.ruleId}: ${f.message}`);
    await expect(`${lines.join('\n')}\n`).toMatchFileSnapshot('./__snapshots__/corpus-findings.txt');
  });

  it('reports every known-bad file of §7 as an error with a position (parse, syntax, type or allow-list)', async () => {
    const result = await lintSource(folderSource(CORPUS));
    const errorFiles = new Set(result.findings.filter((f) => f.severity === 'error' && (f.ruleId === 'policy-parse' || f.ruleId === 'expression-syntax')).map((f) => f.file));
    expect([...errorFiles].sort()).toEqual([
      'examples/Call out to an HTTP endpoint and cache the response.policy.xml', // "latlong=""" corruption, unbalanced
      'examples/DELETE a from to blobStorage account.xml', // MatchedParameters("x") invoked
      'examples/Extract value from XML.xml', // XmlReader
      'examples/GET a file from blobStorage account.xml', // MatchedParameters("x")
      'examples/Get OAuth2 access token from AAD using client id and certificate using key vault manage identity.xml', // RSACng
      'examples/Loopback request for service at same API Management service.xml', // "…Key=""" corruption
      'examples/PUT a file to blobStorage account.xml', // MatchedParameters("x")
      'examples/Pre-authorize requests based on HTTP method with validate-jwt.policy.xml', // "patch=""" corruption
      'examples/Return a blob URL signed with a user delegation SAS token.xml', // XmlDocument
    ]);
  });
});

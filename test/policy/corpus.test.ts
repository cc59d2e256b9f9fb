import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectExpressions, parsePolicyDocument } from '../../src/policy/index.js';
import { CORPUS_DIR } from '../support/shared.js';

/** The 59 real policy files of POLICY-ENGINE.md §7 (read from ../shared, never modified). */
const ROOT = join(CORPUS_DIR, 'examples');

function listXml(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((f) => (statSync(join(dir, f)).isDirectory() ? listXml(join(dir, f)) : f.endsWith('.xml') ? [join(dir, f)] : []))
    .sort();
}

describe('policy corpus', () => {
  const files = listXml(ROOT);
  const results = files.map((f) => {
    const rel = relative(ROOT, f);
    return { rel, ...parsePolicyDocument(readFileSync(f, 'utf8'), rel) };
  });

  it('has the 59 files of §7', () => {
    expect(files).toHaveLength(59);
  });

  it('parses every file or reports a positioned error (pinned)', () => {
    const failures = results.filter((r) => !r.document || r.diagnostics.length > 0).map((r) => r.diagnostics.map((d) => `${d.file}:${d.line}:${d.column}: ${d.message}`));
    expect(failures).toEqual([
      [
        // §7: corrupted by an XML round-trip (`"latlong="""`), and one expression is unbalanced.
        'Call out to an HTTP endpoint and cache the response.policy.xml:41:73: unterminated string literal in policy expression',
      ],
    ]);
  });

  it('reads 54 <policies> documents and 5 fragments, with their expressions', () => {
    const ok = results.filter((r) => r.document);
    expect(ok.filter((r) => r.document?.kind === 'fragment').map((r) => r.rel)).toEqual([
      'oauth-proxy/oauth-proxy-construct-authorization-redirect-fragment.xml',
      'oauth-proxy/oauth-proxy-session-fragment.xml',
      'oauth-proxy/oauth-proxy-slide-session-fragment.xml',
      'oauth-proxy/oauth-proxy-token-endpoint-fragment.xml',
      'oauth-proxy/oauth-proxy-validate-token-fragment.xml',
    ]);
    const counts = Object.fromEntries(ok.map((r) => [r.rel, collectExpressions(r.document!.root).length]));
    // Spot checks against the §7 inventory (@( ) + @{ } counts).
    expect(counts['oauth-proxy/oauth-proxy-callback.xml']).toBe(56 + 5);
    expect(counts['Request OAuth2 access token from SAP using AAD JWT token.xml']).toBe(46 + 6);
    expect(counts['Forward Azure Event Grid Event.xml']).toBe(12 + 1);
    expect(counts['Add correlation id to inbound request.policy.xml']).toBe(1);
  });
});

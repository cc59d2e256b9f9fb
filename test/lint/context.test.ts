/**
 * Linting a few files (the pre-commit hook's staged set) reads only their context (src/lint/context.ts); the
 * findings on those files must be exactly those of a lint of the whole folder. Checked file by file on a
 * folder built for cross-file effects (fragments included from several APIs, open and closed products,
 * a self-hosted gateway, a revision, a workspace API, a broken reference elsewhere) and on artifacts-sample.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { folderSource, memorySource } from '../../src/artifacts/folder-source.js';
import type { FileSource } from '../../src/artifacts/file-source.js';
import { lintContextFiles, sourceOfFiles } from '../../src/lint/context.js';
import { lintSource } from '../../src/lint/run.js';

const REPO = join(import.meta.dirname, '..', '..');

const api = (name: string, extra = '') => `displayName: ${name}\npath: ${name}\nprotocols:\n  - https\nserviceUrl: https://backend.example.com/${name}\n${extra}`;
const op = (method: string, url: string) => `displayName: op\nmethod: ${method}\nurlTemplate: ${url}\n`;

/** Every rule that looks across files has something to find here. */
const FOLDER: Record<string, string> = {
  'policy.xml': `<policies>
  <inbound><include-fragment fragment-id="edge" /></inbound>
  <backend><forward-request /></backend>
  <outbound />
  <on-error />
</policies>`,
  'policyFragments/edge/policyFragment.yaml': 'description: edge\n',
  'policyFragments/edge/policy.xml': '<fragment>\n  <set-variable name="sub" value="@(context.Subscription.Id)" />\n  <cache-lookup vary-by-developer="false" vary-by-developer-groups="false" caching-type="internal" />\n</fragment>',
  'policyFragments/limits/policyFragment.yaml': 'description: limits\n',
  'policyFragments/limits/policy.xml': '<fragment>\n  <rate-limit-by-key calls="10" renewal-period="60" counter-key="@(context.Subscription.Id)" />\n  <forward-request />\n</fragment>',
  'namedValues/key/namedValue.yaml': 'displayName: Key\nsecret: true\n',
  'backends/main/backend.yaml': 'protocol: http\nurl: https://backend.example.com\n',
  'products/open/product.yaml': 'displayName: open\nsubscriptionRequired: false\nstate: published\napis:\n  - alpha\n  - gamma\n',
  'products/open/policy.xml': '<policies>\n  <inbound>\n    <base />\n    <quota-by-key calls="100" renewal-period="3600" counter-key="@(context.Subscription.Id)" />\n  </inbound>\n  <backend><base /></backend>\n  <outbound><base /></outbound>\n  <on-error><base /></on-error>\n</policies>',
  'products/closed/product.yaml': 'displayName: closed\nsubscriptionRequired: true\nstate: published\napis:\n  - beta\n  - nowhere\n',
  'gateways/onprem/gateway.yaml': 'locationData:\n  name: DC1\napis:\n  - alpha\n  - delta\n',
  'tags/t/tag.yaml': 'displayName: t\napis:\n  - alpha\n  - missing-api\n',
  // alpha: in the open product, on the self-hosted gateway; includes the fragment again in an operation.
  'apis/alpha/api.yaml': api('alpha', 'subscriptionRequired: true\n'),
  'apis/alpha/policy.xml': `<policies>
  <inbound>
    <set-header name="X-Key" exists-action="override"><value>{{Key}}</value></set-header>
  </inbound>
  <backend><base /></backend>
  <outbound><base /></outbound>
  <on-error><base /></on-error>
</policies>`,
  'apis/alpha/operations/get/operation.yaml': op('GET', '/items/{id}'),
  'apis/alpha/operations/get/policy.xml': `<policies>
  <inbound>
    <base />
    <include-fragment fragment-id="limits" />
    <set-variable name="n" value="@(context.Subscription.Name)" />
    <rate-limit-by-key calls="5" renewal-period="60" counter-key="@(context.Request.IpAddress)" />
    <set-header name="X-Missing" exists-action="override"><value>{{NoSuchValue}}</value></set-header>
  </inbound>
  <backend><base /></backend>
  <outbound><base /><cache-store duration="60" /></outbound>
  <on-error><base /></on-error>
</policies>`,
  'apis/alpha/operations/post/operation.yaml': op('POST', '/items'),
  // beta: closed product; its API policy never forwards (a culprit for its operations).
  'apis/beta/api.yaml': api('beta'),
  'apis/beta/policy.xml': `<policies>
  <inbound><base /><set-backend-service backend-id="nope" /></inbound>
  <backend><set-header name="X" exists-action="override"><value>1</value></set-header></backend>
  <outbound><base /></outbound>
  <on-error><base /></on-error>
</policies>`,
  'apis/beta/operations/a/operation.yaml': op('GET', '/a'),
  'apis/beta/operations/b/operation.yaml': op('GET', '/b'),
  'apis/beta/operations/b/policy.xml': '<policies>\n  <inbound><base /><validate-jwt header-name="Authorization" require-signed-tokens="false" /></inbound>\n  <backend><base /></backend>\n  <outbound><base /></outbound>\n  <on-error><base /></on-error>\n</policies>',
  // gamma: open API (no subscription), in the open product.
  'apis/gamma/api.yaml': api('gamma', 'subscriptionRequired: false\n'),
  'apis/gamma/policy.xml': '<policies>\n  <inbound><base /><set-variable name="s" value="@(context.Subscription.Key)" /><unknown-thing /></inbound>\n  <backend><base /></backend>\n  <outbound><base /></outbound>\n  <on-error><base /></on-error>\n</policies>',
  'apis/gamma/operations/x/operation.yaml': op('GET', '/x'),
  // delta and a revision of it, on the gateway.
  'apis/delta/api.yaml': api('delta', 'apiRevision: "1"\nisCurrent: true\n'),
  'apis/delta;rev=2/api.yaml': api('delta', 'apiRevision: "2"\nisCurrent: false\n'),
  'apis/delta;rev=2/policy.xml': '<policies>\n  <inbound><base /><rate-limit-by-key calls="5" renewal-period="60" counter-key="@(context.Request.IpAddress)" /></inbound>\n  <backend><base /></backend>\n  <outbound><base /></outbound>\n</policies>',
  'apis/delta/operations/d/operation.yaml': op('GET', '/d'),
  'apis/delta/operations/d/policy.xml': '<policies>\n  <inbound><cache-lookup vary-by-developer="false" vary-by-developer-groups="false" /></inbound>\n  <backend><base /></backend>\n  <outbound><base /></outbound>\n  <on-error><base /></on-error>\n</policies>',
  // A workspace API.
  'workspaces/team/workspace.yaml': 'displayName: Team\n',
  'workspaces/team/policy.xml': '<policies><inbound><base /><set-header name="ws" exists-action="override"><value>1</value></set-header></inbound></policies>',
  'workspaces/team/apis/inv/api.yaml': 'displayName: Inv\npath: inv\nprotocols:\n  - https\n',
  'workspaces/team/apis/inv/policy.xml': '<policies>\n<inbound><set-variable name="a" value="@(context.Subscription.Id)" /></inbound>\n</policies>',
  'workspaces/team/apis/inv/operations/o/operation.yaml': op('GET', '/o'),
  // A broken file in another API: its findings must not leak into, nor be needed by, the others.
  'apis/broken/api.yaml': 'displayName: [unclosed\n',
  'apis/broken/policy.xml': '<policies><inbound><base /></inbound',
};

type LintedFinding = Awaited<ReturnType<typeof lintSource>>['findings'][number];
const key = (f: LintedFinding) => `${f.file}:${f.line}:${f.column} ${f.severity} ${f.ruleId} ${f.message}`;

/** For every file of an API folder: its findings when linted with its context equal those of the whole folder. */
async function expectSameFindings(source: FileSource): Promise<number> {
  const files = await source.listFiles();
  const whole = (await lintSource(source)).findings;
  let compared = 0;
  for (const file of files) {
    const context = lintContextFiles(files, new Set([file]));
    if (!context) continue;
    expect(context).toContain(file);
    const alone = (await lintSource(sourceOfFiles(source, context))).findings.filter((f) => f.file === file).map(key);
    expect(alone, file).toEqual(whole.filter((f) => f.file === file).map(key));
    compared++;
  }
  return compared;
}

describe('lint context for a few files', () => {
  it('is every file outside API folders, the APIs of the files (all revisions) and the api.yaml of the others', () => {
    const files = Object.keys(FOLDER).sort();
    const context = lintContextFiles(files, new Set(['apis/delta/operations/d/policy.xml']))!;
    expect(context).toContain('apis/delta;rev=2/policy.xml');
    expect(context).toContain('apis/delta/operations/d/operation.yaml');
    expect(context).toContain('apis/alpha/api.yaml');
    expect(context).not.toContain('apis/alpha/policy.xml');
    expect(context).not.toContain('workspaces/team/apis/inv/policy.xml');
    expect(context).toContain('workspaces/team/apis/inv/api.yaml');
    expect(context).toContain('policyFragments/edge/policy.xml');
    expect(context).toContain('products/open/product.yaml');
  });

  it('is the whole folder when a changed file is outside the API folders (a fragment sees every includer)', () => {
    const files = Object.keys(FOLDER).sort();
    expect(lintContextFiles(files, new Set(['policyFragments/edge/policy.xml']))).toBeUndefined();
    expect(lintContextFiles(files, new Set(['apis/alpha/policy.xml', 'products/open/policy.xml']))).toBeUndefined();
  });

  it('gives every file of an API folder the findings of a whole-folder lint (cross-file folder)', async () => {
    const source = memorySource(FOLDER);
    const whole = (await lintSource(source)).findings;
    // The folder is built so that the cross-file rules fire on API files.
    const rules = new Set(whole.filter((f) => /^(workspaces\/team\/)?apis\//.test(f.file)).map((f) => f.ruleId));
    for (const id of ['missing-base', 'subscription-null-dereference', 'self-hosted-internal-cache', 'self-hosted-local-counters', 'backend-without-forward', 'undefined-named-value', 'undefined-backend', 'artifact-error', 'policy-parse']) {
      expect([...rules]).toContain(id);
    }
    expect(await expectSameFindings(source)).toBeGreaterThan(20);
  });

  it('gives every file of an API folder the findings of a whole-folder lint (artifacts-sample and a second API)', async () => {
    const sample = folderSource(join(REPO, 'artifacts-sample'));
    const files: Record<string, string> = {};
    for (const f of await sample.listFiles()) files[f] = (await sample.readText(f))!;
    files['apis/other/api.yaml'] = api('other');
    files['apis/other/policy.xml'] = '<policies>\n  <inbound><cache-lookup vary-by-developer="false" vary-by-developer-groups="false" /></inbound>\n</policies>';
    expect(await expectSameFindings(memorySource(files))).toBeGreaterThan(5);
  });
});

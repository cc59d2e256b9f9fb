/**
 * A large folder is linted one API at a time as it is read (lint/run.ts): the reading thread gives every file
 * outside API folders first (FileSource.scan), the reader announces each API folder once it is read
 * (`onApiFolderRead`), and the API is linted then. What must hold: exactly the findings of linting the whole
 * folder at once, including the rules that relate units across APIs (a global culprit of
 * backend-without-forward, a fragment included from many operations, references into workspaces). The scan
 * runs in the compiled worker (dist/, built by `npm test`), so the compiled modules are loaded.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as FolderSourceModule from '../../src/artifacts/folder-source.js';
import type * as ReaderModule from '../../src/artifacts/reader.js';
import type * as ApiopsModule from '../../src/artifacts/apiops-layout.js';
import type * as LintRunModule from '../../src/lint/run.js';

const REPO = join(import.meta.dirname, '..', '..');
const dist = async <T>(path: string) => (await import(pathToFileURL(join(REPO, 'dist', path)).href)) as T;

/** Scanned by the reading thread (API folders last, announced one by one) / listed and read at once. */
const STREAMED = { threadedReadFrom: 1, scanFromApis: 0 };
const AT_ONCE = { threadedReadFrom: Number.MAX_SAFE_INTEGER, scanFromApis: Number.MAX_SAFE_INTEGER };

let fs: typeof FolderSourceModule;
let reader: typeof ReaderModule;
let lint: typeof LintRunModule;
let apiops: typeof ApiopsModule;
let root: string;

/** A policy with `inbound`; without a backend section (it inherits the broader one) unless `backend` is given. */
const policies = (inbound: string, backend?: string) =>
  `<policies>\n  <inbound>\n    ${inbound}\n  </inbound>\n${backend ? `  <backend>\n    ${backend}\n  </backend>\n` : ''}  <outbound>\n    <base />\n  </outbound>\n  <on-error>\n    <base />\n  </on-error>\n</policies>\n`;

const SPEC = `openapi: 3.0.1
info:
  title: Spec
  version: "1"
paths:
  /things:
    get:
      operationId: list-things
      responses:
        "200":
          description: ok
`;

/** A folder whose findings depend on units of other batches. */
const FILES: Record<string, string> = {
  // The global backend never forwards: every operation of every API (and the spec API, linted last) breaks.
  'policy.xml': '<policies>\n  <inbound />\n  <backend>\n    <set-header name="X-Global" exists-action="override"><value>1</value></set-header>\n  </backend>\n  <outbound />\n  <on-error />\n</policies>\n',
  'policyFragments/edge/policyFragment.yaml': 'description: edge\n',
  // forward-request is not allowed in inbound, where operations include this fragment.
  'policyFragments/edge/policy.xml': '<fragment>\n  <forward-request />\n</fragment>\n',
  // A fragment with policy.xml only: a fragment all the same (no undefined-fragment).
  'policyFragments/bare/policy.xml': '<fragment>\n  <set-header name="X-Bare" exists-action="override"><value>1</value></set-header>\n</fragment>\n',
  'namedValues/known/namedValue.yaml': 'displayName: Known\nsecret: false\nvalue: k\n',
  'products/open/product.yaml': 'displayName: open\nsubscriptionRequired: false\nstate: published\napis:\n  - b\n',
  'products/open/policy.xml': policies('<base />'),
  'gateways/onprem/gateway.yaml': 'locationData:\n  name: DC1\napis:\n  - a\n',
  'apis/a/api.yaml': 'displayName: a\npath: a\nprotocols:\n  - https\n',
  'apis/a/policy.xml': policies('<base />\n    <rate-limit-by-key calls="5" renewal-period="60" counter-key="@(context.Request.IpAddress)" />'),
  'apis/a/operations/one/operation.yaml': 'displayName: one\nmethod: GET\nurlTemplate: /one\n',
  'apis/a/operations/one/policy.xml': policies('<base />\n    <include-fragment fragment-id="edge" />\n    <include-fragment fragment-id="bare" />'),
  'apis/a/operations/two/operation.yaml': 'displayName: two\nmethod: GET\nurlTemplate: /two\n',
  'apis/b/api.yaml': 'displayName: b\npath: b\nprotocols:\n  - https\n',
  'apis/b/operations/three/operation.yaml': 'displayName: three\nmethod: GET\nurlTemplate: /three\n',
  // Suppressed on this line only; the undefined named value below it is reported.
  'apis/b/operations/three/policy.xml': policies(
    '<base />\n    <!-- apimops-disable-next-line undefined-named-value -->\n    <set-header name="X-A" exists-action="override"><value>{{Missing1}}</value></set-header>\n    <set-header name="X-B" exists-action="override"><value>{{Missing2}}</value></set-header>\n    <set-variable name="s" value="@(context.Subscription.Id)" />\n    <include-fragment fragment-id="edge" />',
  ),
  // An API read last (its operations come from the specification).
  'apis/spec/api.yaml': 'displayName: spec\npath: spec\nprotocols:\n  - https\n',
  'apis/spec/specification.yaml': SPEC,
  'apis/spec/policy.xml': policies('<base />\n    <set-header name="X-K" exists-action="override"><value>{{Known}}</value></set-header>'),
  // A policy of an API without api.yaml.
  'apis/orphan/policy.xml': policies('<base />\n    <set-backend-service backend-id="nowhere" />'),
  // A workspace: its API sees the workspace's named value and fragment.
  'workspaces/team/workspace.yaml': 'displayName: team\n',
  'workspaces/team/namedValues/team-key/namedValue.yaml': 'displayName: TeamKey\nsecret: false\nvalue: t\n',
  'workspaces/team/policyFragments/team-edge/policyFragment.yaml': 'description: team\n',
  'workspaces/team/policyFragments/team-edge/policy.xml': '<fragment>\n  <cache-store duration="10" />\n</fragment>\n',
  'workspaces/team/apis/w/api.yaml': 'displayName: w\npath: w\nprotocols:\n  - https\n',
  'workspaces/team/apis/w/policy.xml': policies('<base />\n    <set-header name="X-T" exists-action="override"><value>{{TeamKey}}</value></set-header>\n    <include-fragment fragment-id="team-edge" />', '<forward-request />'),
};

beforeAll(async () => {
  fs = await dist('artifacts/folder-source.js');
  reader = await dist('artifacts/reader.js');
  lint = await dist('lint/run.js');
  apiops = await dist('artifacts/apiops-layout.js');
  root = mkdtempSync(join(tmpdir(), 'apimops-streamed-'));
  write(join(root, 'folder'), FILES);
});

function write(dir: string, files: Record<string, string> | Map<string, string>): void {
  for (const [p, text] of files instanceof Map ? files : Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), text);
  }
}

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('reading a scanned folder API by API', () => {
  it('announces each API folder once it is read, after everything outside API folders, with its operations', async () => {
    const calls: { key: string; operations: readonly string[]; products: number; namedValues: number; fragments: number; apis: string[] }[] = [];
    await reader.readArtifacts(fs.folderSource(join(root, 'folder'), 'folder', STREAMED), {
      onApiFolderRead: (api, state) =>
        calls.push({
          key: api.key,
          operations: api.operations,
          products: state.product.size,
          namedValues: state.namedValue.size,
          fragments: state.policyFragment.size,
          apis: [...state.api.keys()],
        }),
    });
    // Not the API with a specification (its operations are known at the end); the API without api.yaml too.
    expect(calls.map((c) => c.key)).toEqual(['/apis/a', '/apis/b', '/apis/orphan', '/workspaces/team/apis/w']);
    expect(calls[0]!.operations).toEqual(['one', 'two']);
    expect(calls[1]!.operations).toEqual(['three']);
    // Everything an API may refer to is in the state when the first API is announced.
    expect(calls[0]).toMatchObject({ products: 1, namedValues: 2, fragments: 2 });
    // And the API itself, not those read after it.
    expect(calls[0]!.apis).toContain('/apis/a');
    expect(calls[0]!.apis).not.toContain('/apis/b');
  });

  it('checks a released API folder as at the end of the read, and leaves it out of the state but the API', async () => {
    // Problems inside API folders that the end of a read reports: a dangling reference in an operation's YAML and
    // in an API diagnostic, a policy that does not parse, a policy of an operation without operation.yaml.
    const dir = join(root, 'released');
    write(dir, {
      ...FILES,
      'apis/a/operations/two/operation.yaml': 'displayName: two\nmethod: GET\nurlTemplate: /two\ndescription: "{{NoSuchValue}}"\n',
      'apis/a/diagnostics/applicationinsights/diagnostic.yaml': 'loggerId: /loggers/nowhere\n',
      'apis/b/policy.xml': '<policies><inbound><base /></inbound',
      'apis/b/operations/ghost/policy.xml': policies('<base />'),
    });
    const kept = await reader.readArtifacts(fs.folderSource(dir, 'released', STREAMED), { onApiFolderRead: () => {} });
    const released = await reader.readArtifacts(fs.folderSource(dir, 'released', STREAMED), { onApiFolderRead: () => {}, releaseApiFolders: true });
    expect(released.diagnostics).toEqual(kept.diagnostics);
    const messages = released.diagnostics.map((d) => `${d.file}: ${d.message}`).join('\n');
    for (const text of ['NoSuchValue', "logger '/loggers/nowhere'", "'ghost', which has no operation.yaml"]) expect(messages).toContain(text);
    expect(released.diagnostics.some((d) => d.file === 'apis/b/policy.xml')).toBe(true);
    // The APIs stay (products and gateways list them); what was inside their folders is gone, but for the API
    // with a specification (announced at the end, never released).
    expect([...released.state.api.keys()]).toEqual([...kept.state.api.keys()]);
    expect([...released.state.apiOperation.keys()]).toEqual(['/apis/spec/operations/list-things']);
    expect([...released.state.apiPolicy.keys()]).toEqual(['/apis/spec/policies/policy']);
    expect(kept.state.apiOperation.size).toBe(4);
    // And lint, which releases the folders it has linted, reports the same either way.
    const streamed = await lint.lintSource(fs.folderSource(dir, 'released', STREAMED));
    expect(streamed).toEqual(await lint.lintSource(fs.folderSource(dir, 'released', AT_ONCE)));
    expect(streamed.findings.filter((f) => f.ruleId === 'artifact-error').length).toBeGreaterThanOrEqual(3);
    expect(streamed.findings.some((f) => f.ruleId === 'policy-parse' && f.file === 'apis/b/policy.xml')).toBe(true);
  });

  it('announces nothing when the folder is listed and read at once', async () => {
    let called = 0;
    await reader.readArtifacts(fs.folderSource(join(root, 'folder'), 'folder', AT_ONCE), { onApiFolderRead: () => called++ });
    expect(called).toBe(0);
  });
});

describe('linting API by API as the folder is read', () => {
  it('finds exactly what linting the whole folder at once finds', async () => {
    const streamed = await lint.lintSource(fs.folderSource(join(root, 'folder'), 'folder', STREAMED));
    const atOnce = await lint.lintSource(fs.folderSource(join(root, 'folder'), 'folder', AT_ONCE));
    expect(streamed).toEqual(atOnce);
    expect(streamed.ruleErrors).toEqual([]);
    const found = streamed.findings.map((f) => `${f.ruleId} ${f.file}:${f.line} ${f.message}`);
    const one = (rule: string, file: string, text: string) => expect(found.filter((f) => f.startsWith(`${rule} ${file}:`) && f.includes(text)), `${rule} ${file} ${text}\n${found.join('\n')}`).toHaveLength(1);
    // A culprit of every batch's operations, reported once with the operations it breaks, sorted.
    one('backend-without-forward', 'policy.xml', '(operation a/one, operation a/two, operation b/three and 2 more)');
    expect(found.filter((f) => f.startsWith('backend-without-forward'))).toHaveLength(1);
    // The fragment's policy, checked against every section that includes it (from two API batches).
    expect(found.filter((f) => f.startsWith('policy-in-wrong-section policyFragments/edge/policy.xml:2'))).toHaveLength(2);
    one('policy-in-wrong-section', 'workspaces/team/policyFragments/team-edge/policy.xml', 'cache-store');
    // References: a suppressed line, an undefined name, a fragment with policy.xml only, a workspace's own.
    one('undefined-named-value', 'apis/b/operations/three/policy.xml', 'Missing2');
    expect(found.some((f) => f.includes('Missing1') || f.includes('"bare"') || f.includes('TeamKey') || f.includes('{{Known}}'))).toBe(false);
    one('undefined-backend', 'apis/orphan/policy.xml', 'nowhere');
    // The API's products and gateways, known when its folder is read.
    one('subscription-null-dereference', 'apis/b/operations/three/policy.xml', 'product open');
    one('self-hosted-local-counters', 'apis/a/policy.xml', 'onprem');
  });

  it('lints an Azure/apiops folder (known only once listed, then read again in its layout) as a whole', async () => {
    const { state } = await reader.readArtifacts(fs.folderSource(join(root, 'folder'), 'folder', AT_ONCE));
    const dir = join(root, 'apiops');
    write(dir, apiops.renderApiopsArtifacts(state));
    const streamed = await lint.lintSource(fs.folderSource(dir, 'apiops', STREAMED));
    const atOnce = await lint.lintSource(fs.folderSource(dir, 'apiops', AT_ONCE));
    expect(streamed).toEqual(atOnce);
    expect(streamed.ruleErrors).toEqual([]);
    expect(streamed.findings.some((f) => f.ruleId === 'undefined-named-value' && f.message.includes('Missing2'))).toBe(true);
  });
});

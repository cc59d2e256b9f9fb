/**
 * issue 8 "Done when": `apimops diff` / `apimops publish` run in-process against the fake ARM server and real
 * git repositories built in temp folders (the sample instance copied in, then changed commit by commit).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runDiffPublish } from './cli-helper.js';
import { startFakeArm, type FakeArm } from '../support/fake-arm/server.js';

const SECRETS = { PAYMENTS_BACKEND_API_KEY: 'k-123', APPINSIGHTS_INSTRUMENTATION_KEY: 'ik-456' };
let repo: string;
let fake: FakeArm;

const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8' }).trim();
function write(path: string, text: string) {
  mkdirSync(join(repo, path, '..'), { recursive: true });
  writeFileSync(join(repo, path), text);
}
function commit(message: string) {
  git('add', '-A');
  git('commit', '-q', '-m', message);
}

async function cli(args: string[], env: Record<string, string> = SECRETS): Promise<{ code: number; stdout: string; stderr: string }> {
  return runDiffPublish(args, repo, env);
}

/** PUT/DELETE paths the fake served, in order, lower-cased. */
const writes = () => fake.requests.filter((r) => r.method === 'PUT' || r.method === 'DELETE').map((r) => `${r.method} ${r.path.toLowerCase()}`);

beforeEach(async () => {
  fake = await startFakeArm({ lroPolls: 1 });
  repo = mkdtempSync(join(tmpdir(), 'apimops-publish-'));
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 't@example.com');
  git('config', 'user.name', 'T');
  write(
    'apimops.yaml',
    `artifacts: artifacts\nenvironments:\n` +
      ['dev', 'staging']
        .map((e) => `  ${e}:\n    subscriptionId: ${fake.subscriptionId}\n    resourceGroup: ${fake.resourceGroup}\n    serviceName: ${fake.serviceName}\n    endpoint: ${fake.url}\n`)
        .join('') +
      // staging uses prod's overrides file (a Key Vault secret instead of a pipeline value)
      '    overrides: artifacts/configuration.prod.yaml\n',
  );
  commit('empty');
  cpSync('artifacts-sample', join(repo, 'artifacts'), { recursive: true });
  commit('sample');
});
afterEach(async () => {
  await fake.close();
  rmSync(repo, { recursive: true, force: true });
});

async function publishSample() {
  const r = await cli(['publish', '--env', 'dev', '--from', 'HEAD~1']);
  expect(r.stderr).not.toMatch(/✗/);
  expect(r.code).toBe(0);
  fake.requests.length = 0;
}

describe('apimops publish (commit ranges)', () => {
  it('orders a new API after the new named value and fragment its policy uses', async () => {
    await publishSample();
    write('artifacts/namedValues/orders-key/namedValue.yaml', 'displayName: OrdersKey\nsecret: false\nvalue: abc\n');
    write('artifacts/policyFragments/orders-edge/policyFragment.yaml', 'description: Orders edge\n');
    write('artifacts/policyFragments/orders-edge/policy.xml', '<fragment>\n  <set-header name="x-orders" exists-action="override">\n    <value>{{OrdersKey}}</value>\n  </set-header>\n</fragment>\n');
    write('artifacts/apis/orders-api/api.yaml', 'displayName: Orders API\npath: orders\nprotocols:\n  - https\nserviceUrl: https://orders.example.com\nsubscriptionRequired: true\n');
    write('artifacts/apis/orders-api/operations/list-orders/operation.yaml', 'displayName: List orders\nmethod: GET\nurlTemplate: /orders\n');
    write('artifacts/apis/orders-api/policy.xml', '<policies>\n  <inbound>\n    <base />\n    <include-fragment fragment-id="orders-edge" />\n  </inbound>\n  <backend>\n    <base />\n  </backend>\n  <outbound>\n    <base />\n  </outbound>\n  <on-error>\n    <base />\n  </on-error>\n</policies>\n');
    commit('orders api');

    const dry = await cli(['publish', '--env', 'dev', '--from', 'HEAD~1', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(writes()).toEqual([]);
    expect(dry.stdout).toContain('+ create apiPolicy /apis/orders-api/policies/policy');

    const r = await cli(['publish', '--env', 'dev', '--from', 'HEAD~1']);
    expect(r.code).toBe(0);
    const w = writes();
    const at = (s: string) => w.indexOf(s);
    expect(at('PUT /namedvalues/orders-key')).toBeGreaterThanOrEqual(0);
    expect(at('PUT /namedvalues/orders-key')).toBeLessThan(at('PUT /policyfragments/orders-edge'));
    expect(at('PUT /policyfragments/orders-edge')).toBeLessThan(at('PUT /apis/orders-api/policies/policy'));
    expect(at('PUT /apis/orders-api')).toBeLessThan(at('PUT /apis/orders-api/operations/list-orders'));
    expect(fake.store.get('/apis/orders-api/policies/policy')?.properties.value).toContain('include-fragment fragment-id="orders-edge"');
    expect(r.stdout).toMatch(/Published\. Created: 5, Updated: 0, Deleted: 0/);
  });

  it('renames a product: the old one is deleted before its successor is created', async () => {
    await publishSample();
    git('mv', 'artifacts/products/starter', 'artifacts/products/basic');
    write('artifacts/subscriptions/starter-demo/subscription.yaml', readFileSync(join(repo, 'artifacts/subscriptions/starter-demo/subscription.yaml'), 'utf8').replace('/products/starter', '/products/basic'));
    const tag = join(repo, 'artifacts/tags/payments/tag.yaml');
    write('artifacts/tags/payments/tag.yaml', readFileSync(tag, 'utf8').replace('  - starter', '  - basic'));
    commit('rename starter → basic');
    const r = await cli(['publish', '--env', 'dev', '--from', 'HEAD~1']);
    expect(r.stderr + r.stdout).not.toMatch(/✗|Failed|apimops:/);
    expect(r.code).toBe(0);
    const w = writes();
    expect(w.indexOf('DELETE /products/starter')).toBeGreaterThanOrEqual(0);
    expect(w.indexOf('DELETE /products/starter')).toBeLessThan(w.indexOf('PUT /products/basic'));
    expect(fake.store.get('/products/starter')).toBeUndefined();
    expect(fake.store.get('/products/basic')?.properties.displayName).toBe('Starter');
    expect(fake.store.get('/products/basic/policies/policy')).toBeDefined();
  });

  it('deletes an API after its links and policies', async () => {
    await publishSample();
    rmSync(join(repo, 'artifacts/apis/payments-api'), { recursive: true });
    for (const p of ['products/premium/product.yaml', 'products/starter/product.yaml', 'tags/payments/tag.yaml', 'gateways/onprem-gateway/gateway.yaml']) {
      const file = join(repo, 'artifacts', p);
      write(`artifacts/${p}`, readFileSync(file, 'utf8').replace(/apis:\n  - payments-api\n/, 'apis: []\n'));
    }
    commit('remove payments api');
    const diff = await cli(['diff', '--from', 'HEAD~1', '--env', 'dev', '--exit-code']);
    expect(diff.code).toBe(1);
    expect(diff.stdout).toContain('- delete api /apis/payments-api');
    const r = await cli(['publish', '--env', 'dev', '--from', 'HEAD~1']);
    expect(r.stderr + r.stdout).not.toMatch(/✗|Failed/);
    expect(r.code).toBe(0);
    const w = writes();
    const apiDelete = w.indexOf('DELETE /apis/payments-api');
    expect(apiDelete).toBeGreaterThan(w.indexOf('DELETE /products/premium/apis/payments-api'));
    expect(apiDelete).toBeGreaterThan(w.indexOf('DELETE /apis/payments-api/policies/policy'));
    expect(apiDelete).toBeGreaterThan(w.indexOf('DELETE /apis/payments-api/operations/create-payment/policies/policy'));
    expect(fake.store.get('/apis/payments-api')).toBeUndefined();
  });

  it('publishes a commit that changes only configuration.dev.yaml', async () => {
    await publishSample();
    const file = 'artifacts/configuration.dev.yaml';
    write(file, readFileSync(join(repo, file), 'utf8').replace('https://payments.dev.internal.contoso.com/api', 'https://payments-v2.dev.internal.contoso.com/api'));
    commit('dev backend moved');
    const r = await cli(['publish', '--env', 'dev', '--from', 'HEAD~1']);
    expect(r.code).toBe(0);
    expect(writes()).toEqual(['PUT /backends/payments-backend', 'PUT /namedvalues/apimops-last-deployed']);
    expect(fake.store.get('/backends/payments-backend')?.properties.url).toBe('https://payments-v2.dev.internal.contoso.com/api');
  });

  it('publishes a three-commit range in one go, and records it for --from last-deployed', async () => {
    await publishSample();
    write('artifacts/groups/auditors/group.yaml', 'description: Auditors\ndisplayName: Auditors\n');
    commit('one');
    write('artifacts/tags/payments/tag.yaml', 'apis:\n  - payments-api\ndisplayName: Payments (all)\n');
    commit('two');
    const policy = join(repo, 'artifacts/policy.xml');
    write('artifacts/policy.xml', readFileSync(policy, 'utf8').replace('<inbound>', '<inbound>\n    <set-header name="x-platform" exists-action="override"><value>payments</value></set-header>'));
    commit('three');
    const r = await cli(['publish', '--env', 'dev', '--from', 'HEAD~3']);
    expect(r.code).toBe(0);
    expect(fake.store.get('/groups/auditors')).toBeDefined();
    expect(fake.store.get('/tags/payments')?.properties.displayName).toBe('Payments (all)');
    expect(String(fake.store.get('/policies/policy')?.properties.value)).toContain('x-platform');
    const head = git('rev-parse', 'HEAD');
    expect(String(fake.store.get('/namedValues/apimops-last-deployed')?.properties.value)).toMatch(new RegExp(`^${head} `));

    // a commit outside the artifact folder: nothing new since then, --from last-deployed publishes nothing
    write('README.md', 'docs only\n');
    commit('docs');
    fake.requests.length = 0;
    const again = await cli(['publish', '--env', 'dev', '--from', 'last-deployed']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('No changes.');
    const since = await cli(['diff', '--env', 'dev', '--since-deployed', '--exit-code']);
    expect(since.code).toBe(0);
  });

  it('publishes a workspace with its own named value, API, policy and product links', async () => {
    await publishSample();
    write('artifacts/workspaces/team-a/workspace.yaml', 'description: Team A\ndisplayName: Team A\n');
    write('artifacts/workspaces/team-a/namedValues/team-key/namedValue.yaml', 'displayName: TeamKey\nsecret: false\nvalue: t-1\n');
    write('artifacts/workspaces/team-a/apis/orders/api.yaml', 'displayName: Orders\npath: team-a/orders\nprotocols:\n  - https\n');
    write('artifacts/workspaces/team-a/apis/orders/operations/list/operation.yaml', 'displayName: List\nmethod: GET\nurlTemplate: /orders\n');
    write('artifacts/workspaces/team-a/apis/orders/policy.xml', '<policies>\n  <inbound>\n    <base />\n    <set-header name="x-team" exists-action="override">\n      <value>{{TeamKey}}</value>\n    </set-header>\n  </inbound>\n  <backend>\n    <base />\n  </backend>\n  <outbound>\n    <base />\n  </outbound>\n  <on-error>\n    <base />\n  </on-error>\n</policies>\n');
    write('artifacts/workspaces/team-a/products/team-gold/product.yaml', 'apis:\n  - orders\ndisplayName: Team Gold\nstate: published\nsubscriptionRequired: true\n');
    commit('workspace team-a');
    const r = await cli(['publish', '--env', 'dev', '--from', 'HEAD~1']);
    expect(r.stderr + r.stdout).not.toMatch(/✗|Failed|apimops:/);
    expect(r.code).toBe(0);
    const w = writes();
    const at = (x: string) => w.indexOf(x);
    expect(at('PUT /workspaces/team-a')).toBe(0);
    expect(at('PUT /workspaces/team-a/namedvalues/team-key')).toBeLessThan(at('PUT /workspaces/team-a/apis/orders/policies/policy'));
    expect(at('PUT /workspaces/team-a/apis/orders')).toBeLessThan(at('PUT /workspaces/team-a/products/team-gold/apilinks/orders'));
    expect(fake.store.get('/workspaces/team-a/apis/orders/policies/policy')?.properties.value).toContain('{{TeamKey}}');
    const live = await cli(['diff', '--env', 'dev', '--live', '--exit-code']);
    expect(live.stdout).toContain('No changes.');
  });

  it('after publishing with Key Vault overrides, the live service shows no drift', async () => {
    const r = await cli(['publish', '--env', 'staging', '--from', 'HEAD~1']);
    expect(r.stderr + r.stdout).not.toMatch(/✗|Failed|apimops:/);
    expect(r.code).toBe(0);
    expect(fake.store.get('/namedValues/backend-api-key')?.properties.keyVault).toMatchObject({
      secretIdentifier: 'https://kv-contoso-prod.vault.azure.net/secrets/payments-backend-api-key',
    });
    const live = await cli(['diff', '--env', 'staging', '--live', '--exit-code']);
    expect(live.stdout).toContain('No changes.');
    expect(live.code).toBe(0);
  });

  it('makes a new apiRevision current through a release', async () => {
    await publishSample();
    const file = 'artifacts/apis/payments-api/api.yaml';
    write(file, readFileSync(join(repo, file), 'utf8').replace('apiRevision: "1"', 'apiRevision: "2"').replace('description: Create, read and update payments.', 'description: Payments, revision 2.'));
    commit('payments-api revision 2');
    const r = await cli(['publish', '--env', 'dev', '--from', 'HEAD~1']);
    expect(r.stderr + r.stdout).not.toMatch(/✗|Failed|apimops:/);
    expect(r.code).toBe(0);
    expect(writes()).toEqual(['PUT /apis/payments-api;rev=2', 'PUT /apis/payments-api/releases/apimops-rev-2', 'PUT /namedvalues/apimops-last-deployed']);
    expect(fake.store.get('/apis/payments-api')?.properties).toMatchObject({ apiRevision: '2', isCurrent: true, description: 'Payments, revision 2.' });
    expect(fake.store.get('/apis/payments-api;rev=1')?.properties).toMatchObject({ isCurrent: false });
  });

  it('stops at a failing level, reports what was and was not done (exit 1), and completes on a second run', async () => {
    // APIs are at level 2: the first API PUT fails with a non-retryable 400
    fake.faults.set([{ method: 'PUT', path: '/apis/payments-api', status: 400, times: 1 }]);
    const r = await cli(['publish', '--env', 'dev', '--from', 'HEAD~1']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/Publish stopped: 1 change\(s\) failed/);
    expect(r.stdout).toMatch(/Failed: create \/apis\/payments-api/);
    expect(r.stdout).toMatch(/Not run \(\d+\):.*\/apis\/payments-api\/policies\/policy/);
    expect(fake.store.get('/namedValues/backend-api-key')).toBeDefined();
    expect(fake.store.get('/apis/payments-api/policies/policy')).toBeUndefined();
    expect(fake.store.get('/namedValues/apimops-last-deployed')).toBeUndefined();
    const again = await cli(['publish', '--env', 'dev', '--from', 'HEAD~1']);
    expect(again.code).toBe(0);
    expect(fake.store.get('/apis/payments-api/policies/policy')).toBeDefined();
  });

  it('fails before the first write when a secret is missing (exit 2, nothing written)', async () => {
    const r = await cli(['publish', '--env', 'dev', '--from', 'HEAD~1'], { PAYMENTS_BACKEND_API_KEY: 'x' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/configuration\.dev\.yaml:\d+:\d+: environment variable APPINSIGHTS_INSTRUMENTATION_KEY is not set/);
    expect(writes()).toEqual([]);
  });

  it('rejects contradictory or missing flags with exit 2 before touching the service', async () => {
    const cases: [string[], RegExp][] = [
      [['publish', '--from', 'HEAD~1'], /publish needs --env/],
      [['publish', '--env', 'dev', '--parallelism', '0'], /--parallelism must be an integer ≥ 1/],
      [['publish', '--env', 'dev', '--from', 'HEAD~1', '--prune'], /--prune applies to a publish against the live service/],
      [['publish', '--env', 'nope', '--from', 'HEAD~1'], /environment 'nope' is not defined/],
      [['diff'], /choose one of --from <git-ref>, --live, --since-deployed/],
      [['diff', '--live'], /--live needs --env/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
    }
    expect(fake.requests).toEqual([]);
  });

  it('prints the dry-run plan as JSON with secrets masked', async () => {
    const r = await cli(['publish', '--env', 'dev', '--from', 'HEAD~1', '--dry-run', '--output', 'json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { dryRun: boolean; plan: { label: string; changes: { key: string }[] }[]; summary: { created: number } };
    expect(doc.dryRun).toBe(true);
    expect(doc.plan.map((l) => l.label)).toEqual(['level 0', 'level 1', 'level 2', 'level 3', 'level 4']);
    expect(doc.summary.created).toBe(22);
    expect(r.stdout).not.toMatch(/k-123|ik-456/);
    expect(r.stdout).toContain('"value": "***"');
    expect(fake.requests.filter((q) => q.method !== 'GET')).toEqual([]);
  });

  it('fails before the first write when the identity lacks the role (exit 2, nothing written)', async () => {
    fake.faults.set([{ status: 403, code: 'AuthorizationFailed', message: 'The client does not have authorization' }]);
    const r = await cli(['publish', '--env', 'dev', '--from', 'HEAD~1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Forbidden: .*API Management Service Reader role/);
    expect(writes()).toEqual([]);
  });

  it('publishes the fix of a broken commit (a problem in --from does not block), and rejects a broken --to with positions', async () => {
    await publishSample();
    const file = 'artifacts/products/premium/product.yaml';
    const good = readFileSync(join(repo, file), 'utf8');
    write(file, good.replace('displayName: Premium', 'displayName: [Premium'));
    commit('broken');
    const broken = await cli(['publish', '--env', 'dev', '--from', 'HEAD~1']);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/^[0-9a-f]{12}:artifacts\/products\/premium\/product\.yaml:\d+:\d+: /m);
    expect(writes()).toEqual([]);
    write(file, good.replace('displayName: Premium', 'displayName: Premium Plus'));
    commit('fixed');
    const fixed = await cli(['publish', '--env', 'dev', '--from', 'HEAD~1']);
    expect(fixed.code).toBe(0);
    expect(fake.store.get('/products/premium')?.properties.displayName).toBe('Premium Plus');
  });

  it('dry-runs a commit range for an environment without Azure access (no target configured, no secrets set)', async () => {
    const r = await cli(['publish', '--env', 'prod', '--from', 'HEAD~1', '--dry-run'], {});
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('+ create namedValue /namedValues/backend-api-key');
    expect(r.stderr).toMatch(/configuration\.prod\.yaml:\d+:\d+: warning: environment variable APPINSIGHTS_INSTRUMENTATION_KEY is not set/);
    expect(fake.requests).toEqual([]);
  });

  it('answers a bad ref with exit 2', async () => {
    const r = await cli(['diff', '--from', 'no-such-ref']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/'no-such-ref' does not name a commit/);
  });
});

describe('apimops diff --live and publish against the live service', () => {
  it('shows drift, repairs it, and prunes only with --prune --yes', async () => {
    await publishSample();
    const clean = await cli(['diff', '--env', 'dev', '--live', '--exit-code']);
    expect(clean.stdout).toContain('No changes.');
    expect(clean.code).toBe(0);

    // someone edits the service in the portal
    const backend = fake.store.get('/backends/payments-backend')!;
    fake.store.put(backend.path, { ...backend.properties, url: 'https://hotfix.example.com' });
    fake.store.put('/apis/portal-api', { displayName: 'Portal API', path: 'portal', protocols: ['https'], apiRevision: '1', isCurrent: true });

    const drift = await cli(['diff', '--env', 'dev', '--live', '--exit-code']);
    expect(drift.code).toBe(1);
    expect(drift.stdout).toContain('~ update backend /backends/payments-backend\n    properties.url: "https://hotfix.example.com" → "https://payments.dev.internal.contoso.com/api"');
    expect(drift.stdout).toContain('- delete api /apis/portal-api');
    expect(drift.stdout).not.toMatch(/k-123|ik-456/);

    const repair = await cli(['publish', '--env', 'dev']);
    expect(repair.code).toBe(0);
    expect(repair.stdout).toContain('1 resource(s) only in the service (deleted with --prune): /apis/portal-api');
    expect(fake.store.get('/backends/payments-backend')?.properties.url).toBe('https://payments.dev.internal.contoso.com/api');
    expect(fake.store.get('/apis/portal-api')).toBeDefined();
    expect(String(fake.store.get('/namedValues/apimops-last-deployed')?.properties.value)).toMatch(new RegExp(`^${git('rev-parse', 'HEAD')} `));

    fake.requests.length = 0;
    const unconfirmed = await cli(['publish', '--env', 'dev', '--prune']);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toMatch(/--prune would delete 1 resource\(s\): \/apis\/portal-api/);
    expect(writes()).toEqual([]);

    const pruned = await cli(['publish', '--env', 'dev', '--prune', '--yes']);
    expect(pruned.code).toBe(0);
    expect(fake.store.get('/apis/portal-api')).toBeUndefined();
    const after = await cli(['diff', '--env', 'dev', '--live', '--exit-code', '--output', 'json']);
    expect(JSON.parse(after.stdout).summary).toEqual({ created: 0, updated: 0, deleted: 0, total: 0 });
    expect(after.code).toBe(0);

    // an uncommitted change is published, but not recorded as the deployed commit
    write('artifacts/groups/interns/group.yaml', 'displayName: Interns\n');
    const dirty = await cli(['publish', '--env', 'dev']);
    expect(dirty.code).toBe(0);
    expect(dirty.stderr).toMatch(/has uncommitted changes; the deployment will not be recorded/);
    expect(fake.store.get('/groups/interns')).toBeDefined();
  });
});

// issue 8 "Done when": publishing artifacts-sample/ to an empty fake service with `apimops publish` and
// extracting it again with `runExtract` reproduces the folder byte for byte (the environment files aside).
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isNonArtifactFile } from '../../src/artifacts/build.js';
import { runExtract } from '../../src/extract/extract.js';
import { EXTRACT_ALL } from '../../src/extract/filter.js';
import { startFakeArm, type FakeArm } from '../support/fake-arm/server.js';
import { runDiffPublish } from './cli-helper.js';
import { filesOf } from '../support/files.js';

const SAMPLE = join(import.meta.dirname, '../../artifacts-sample');
let fake: FakeArm | undefined;
let repo: string | undefined;
afterAll(async () => {
  await fake?.close();
  if (repo) rmSync(repo, { recursive: true, force: true });
});


describe('publish → extract round trip', () => {
  it('reproduces artifacts-sample/', async () => {
    fake = await startFakeArm({ lroPolls: 1 });
    repo = mkdtempSync(join(tmpdir(), 'apimops-roundtrip-'));
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8' });
    git('init', '-q', '-b', 'main');
    git('config', 'user.email', 't@example.com');
    git('config', 'user.name', 'T');
    // An environment without overrides, except the one secret the sample leaves to the environment.
    writeFileSync(
      join(repo, 'apimops.yaml'),
      `artifacts: artifacts\nenvironments:\n  sample:\n    subscriptionId: ${fake.subscriptionId}\n    resourceGroup: ${fake.resourceGroup}\n    serviceName: ${fake.serviceName}\n    endpoint: ${fake.url}\n    overrides: secrets.sample.yaml\n`,
    );
    writeFileSync(join(repo, 'secrets.sample.yaml'), 'namedValues:\n  - name: backend-api-key\n    properties:\n      value: "{#BACKEND_API_KEY#}"\n');
    git('add', '-A');
    git('commit', '-q', '-m', 'config');
    cpSync(SAMPLE, join(repo, 'artifacts'), { recursive: true });
    git('add', '-A');
    git('commit', '-q', '-m', 'sample');

    const r = await runDiffPublish(['publish', '--env', 'sample', '--from', 'HEAD~1'], repo, { BACKEND_API_KEY: 's3cret' });
    expect(r.stderr).not.toMatch(/✗|apimops:/);
    expect(r.code).toBe(0);

    const out = join(repo, 'extracted');
    const result = await runExtract({
      target: { subscriptionId: fake.subscriptionId, resourceGroup: fake.resourceGroup, serviceName: fake.serviceName, endpoint: fake.url },
      env: {},
      out,
      filter: EXTRACT_ALL,
      schemaBase: '../schemas',
    });
    expect(result.failures).toEqual([]);
    // The deployment marker publish records (a named value, see arm/apply.ts) belongs to the service:
    // extract skips it. Everything else must be the sample, byte for byte.
    const extracted = filesOf(out);
    expect(existsSync(join(out, 'namedValues/apimops-last-deployed'))).toBe(false);
    // what is not an artifact (environment overrides, `apimops test` cases, docs) is not extracted either
    const sample = filesOf(SAMPLE, isNonArtifactFile);
    expect([...extracted.keys()]).toEqual([...sample.keys()]);
    for (const [path, text] of sample) expect(extracted.get(path), path).toBe(text);
  });
});

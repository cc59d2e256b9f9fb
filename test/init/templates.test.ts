/**
 * The templates are tested (issue 9 item 6): generated workflow files parse as YAML, use only inputs the
 * action declares, and every `apimops …` command in every template exists with those flags (checked
 * against the real command definitions and with `--help`), then runs: lint and test on the sample,
 * diff on a real git range, publish in dry-run against the fake ARM server.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDocument, parse as parseYaml } from 'yaml';
import { buildProgram } from '../../src/cli/main.js';
import { ACTION_REF } from '../../src/cli/commands/init.js';
import type { CliIO } from '../../src/cli/io.js';
import { startFakeArm, type FakeArm } from '../support/fake-arm/server.js';
import { cli, REPO, tempDir } from '../testing/helpers.js';

let fake: FakeArm;
const cleanups: (() => void)[] = [];
beforeAll(async () => {
  fake = await startFakeArm({ lroPolls: 1 });
});
afterAll(async () => {
  cleanups.splice(0).forEach((c) => c());
  await fake.close();
});

/** A git repository scaffolded by `init --from-sample --ci <ci>`, with two commits for diff ranges. */
async function project(ci: 'github' | 'azure-pipelines'): Promise<string> {
  const { dir, cleanup } = tempDir(`apimops-templates-${ci}-`);
  cleanups.push(cleanup);
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'pipe' });
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 't@example.com');
  git('config', 'user.name', 'T');
  const r = await cli(dir, ['init', '--from-sample', '--ci', ci, '--pre-commit', '--env', 'dev', '--env', 'prod']);
  expect(r.code).toBe(0);
  git('add', '-A');
  git('commit', '-q', '--no-verify', '-m', 'scaffold');
  const policy = join(dir, 'artifacts/apis/payments-api/policy.xml');
  writeFileSync(policy, readFileSync(policy, 'utf8').replace('<set-header name="X-Powered-By" exists-action="delete" />', '<set-header name="X-Powered-By" exists-action="delete" />\n    <set-header name="X-Api" exists-action="override">\n      <value>payments</value>\n    </set-header>'));
  git('commit', '-q', '--no-verify', '-am', 'outbound header');
  return dir;
}

/** Shell-ish words of a command line, up to a redirection or pipe; `${{ … }}`, `$(…)`, `${…}` become one word. */
export function words(line: string): string[] {
  const norm = line.replace(/\$\{\{[^}]*\}\}/g, '__EXPR__').replace(/\$\([^)]*\)/g, '__EXPR__').replace(/\$\{[^}]*\}/g, '__EXPR__');
  const out: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(norm); m; m = re.exec(norm)) {
    const w = m[1] ?? m[2] ?? m[3]!;
    if (m[3] && /^(>|>>|2>|\||&&|;|<)/.test(w)) break;
    out.push(w);
  }
  return out;
}

/** `apimops …` command lines in a script (`run:`, `script:`, `inlineScript:`), as argv without `apimops`. */
function scriptCommands(script: string): string[][] {
  return script
    .split('\n')
    .map((l) => /^\s*(?:npx\s+(?:--no-install\s+)?)?apimops\s+(.*)$/.exec(l)?.[1])
    .filter((s): s is string => s !== undefined)
    .map(words);
}

/** Every string value under `node` whose key is a script key. */
function scripts(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => scripts(n, out));
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (typeof v === 'string' && (k === 'run' || k === 'script' || k === 'inlineScript')) out.push(v);
      else scripts(v, out);
    }
  }
  return out;
}

/** Every `- template: …` step under `node`. */
function templateUses(node: unknown, out: { template: string; parameters?: Record<string, string> }[] = []): { template: string; parameters?: Record<string, string> }[] {
  if (Array.isArray(node)) node.forEach((n) => templateUses(n, out));
  else if (node && typeof node === 'object') {
    const o = node as { template?: unknown; parameters?: Record<string, string> };
    if (typeof o.template === 'string') out.push({ template: o.template, parameters: o.parameters });
    else Object.values(o).forEach((v) => templateUses(v, out));
  }
  return out;
}

/** The argv of a workflow step that uses the apimops action (or of the Azure Pipelines task wrapper). */
function actionArgv(w: Record<string, string>): string[] {
  return [w.command!, ...(w.folder ? [w.folder] : []), ...(w.environment ? ['--env', w.environment] : []), ...words(w.args ?? '')];
}

const ACTION = parseYaml(readFileSync(join(REPO, 'action.yml'), 'utf8')) as { inputs: Record<string, { required?: boolean }>; runs: { using: string } };

/** Flags a command accepts (its own, the program's, help). */
async function knownFlags(command: string): Promise<Set<string> | undefined> {
  const io: CliIO = { stdout() {}, stderr() {}, env: {}, cwd: REPO, interactive: false, color: false };
  const program = await buildProgram(io, () => {});
  const cmd = program.commands.find((c) => c.name() === command);
  if (!cmd) return undefined;
  const flags = new Set(['--help', '-h']);
  for (const o of [...cmd.options, ...program.options]) {
    if (o.long) flags.add(o.long);
    if (o.short) flags.add(o.short);
  }
  return flags;
}

/** Problems with an argv: unknown command or flags. */
async function unknownFlags(argv: string[]): Promise<string[]> {
  const known = await knownFlags(argv[0]!);
  if (!known) return [`unknown command ${argv[0]}`];
  return argv.slice(1).filter((w) => w.startsWith('-')).map((w) => w.split('=')[0]!).filter((f) => !known.has(f));
}

/** An argv with CI expressions replaced by values that run locally. */
function runnable(argv: string[]): string[] {
  return argv.map((w, i) => (w.includes('__EXPR__') ? (argv[i - 1] === '--to' ? 'HEAD' : 'HEAD~1') : w));
}

/** Runs one template command for real in `dir` and checks its output. */
async function runForReal(dir: string, argv: string[]): Promise<void> {
  const env = { APIMOPS_SUBSCRIPTION_ID: fake.subscriptionId, APIMOPS_RESOURCE_GROUP: fake.resourceGroup, APIMOPS_SERVICE_NAME: fake.serviceName };
  let args = runnable(argv);
  if (args[0] === 'publish') {
    if (!args.includes('--dry-run')) args = [...args, '--dry-run'];
    args = [...args, '--endpoint', fake.url];
  }
  if (args[0] === 'diff') args = [...args, '--endpoint', fake.url];
  const before = fake.requests.filter((r) => r.method === 'PUT' || r.method === 'DELETE').length;
  const r = await cli(dir, args, env);
  const label = `apimops ${args.join(' ')}\n${r.err}`;
  expect(r.code, label).toBe(0);
  const format = args[args.indexOf('--format') + 1];
  if (args[0] === 'lint' && format === 'sarif') expect((JSON.parse(r.out) as { version: string }).version).toBe('2.1.0');
  if (format === 'junit') expect(r.out).toMatch(/^<\?xml[^]*<testsuites[^]*<\/testsuites>\s*$/);
  if (args[0] === 'test' && format === 'junit') expect(r.out).toContain('failures="0"');
  if (args[0] === 'diff') expect(r.out).toContain('X-Api');
  if (args[0] === 'publish') expect(r.out).toMatch(/create|update|no changes/i);
  // Dry runs change nothing in the service.
  expect(fake.requests.filter((q) => q.method === 'PUT' || q.method === 'DELETE').length).toBe(before);
}

describe.each(['github', 'azure-pipelines'] as const)('init --ci %s', (ci) => {
  it('writes a pipeline that parses, and every apimops command in it exists and runs', async () => {
    const dir = await project(ci);
    const file = ci === 'github' ? '.github/workflows/apimops.yml' : 'azure-pipelines.yml';
    const doc = parseDocument(readFileSync(join(dir, file), 'utf8'));
    expect(doc.errors.map((e) => e.message)).toEqual([]);
    const wf = doc.toJS() as Record<string, unknown>;
    const commands: string[][] = scripts(wf).flatMap(scriptCommands);

    if (ci === 'github') {
      const jobs = wf.jobs as Record<string, { needs?: string; environment?: string; steps: { uses?: string; with?: Record<string, string> }[] }>;
      expect(Object.keys(jobs)).toEqual(['validate', 'publish-dev', 'publish-prod']);
      expect([jobs['publish-dev']!.needs, jobs['publish-prod']!.needs]).toEqual(['validate', 'publish-dev']);
      expect([jobs['publish-dev']!.environment, jobs['publish-prod']!.environment]).toEqual(['dev', 'prod']);
      for (const job of Object.values(jobs)) {
        for (const step of job.steps) {
          if (step.uses !== ACTION_REF) continue;
          const w = step.with ?? {};
          expect(Object.keys(w).filter((k) => !(k in ACTION.inputs)), `inputs of ${JSON.stringify(w)}`).toEqual([]);
          for (const [name, input] of Object.entries(ACTION.inputs)) if (input.required) expect(w[name], name).toBeTruthy();
          commands.push(actionArgv(w));
        }
      }
      expect(commands.map((c) => c[0])).toEqual(['lint', 'test', 'diff', 'publish', 'publish', 'publish', 'publish']);
    } else {
      const wrapper = parseYaml(readFileSync(join(dir, '.azure-pipelines/apimops-task.yml'), 'utf8')) as { parameters: { name: string; default?: string }[] };
      const declared = new Map(wrapper.parameters.map((p) => [p.name, p]));
      for (const use of templateUses(wf)) {
        expect(use.template).toBe('.azure-pipelines/apimops-task.yml');
        const p = use.parameters ?? {};
        expect(Object.keys(p).filter((k) => !declared.has(k)), `parameters of ${JSON.stringify(p)}`).toEqual([]);
        for (const d of declared.values()) if (d.default === undefined) expect(p[d.name], d.name).toBeTruthy();
        commands.push(actionArgv(p));
      }
      const stages = wf.stages as { stage: string; dependsOn?: string; jobs: { deployment?: string; environment?: string }[] }[];
      expect(stages.map((s) => s.stage)).toEqual(['validate', 'publish_dev', 'publish_prod']);
      expect(stages.map((s) => s.dependsOn)).toEqual([undefined, 'validate', 'publish_dev']);
      expect(stages.slice(1).map((s) => s.jobs[0]!.environment)).toEqual(['dev', 'prod']);
      expect(JSON.stringify(wf)).toContain('PublishTestResults@2');
      expect(commands.map((c) => c[0])).toEqual(['lint', 'test', 'diff', 'publish', 'publish', 'publish', 'publish']);
    }

    for (const argv of commands) {
      expect(await unknownFlags(argv), `apimops ${argv.join(' ')}`).toEqual([]);
      const help = await cli(dir, [...runnable(argv), '--help']);
      expect(help.code, `apimops ${argv.join(' ')} --help\n${help.err}`).toBe(0);
    }
    for (const argv of commands) await runForReal(dir, argv);
  }, 240_000);
});

describe('every other template', () => {
  it('the action is a composite action whose run step uses each input', () => {
    expect(ACTION.runs.using).toBe('composite');
    const text = readFileSync(join(REPO, 'action.yml'), 'utf8');
    for (const name of Object.keys(ACTION.inputs)) expect(text).toContain(`inputs.${name}`);
  });

  it('apimops commands in the init templates and the pre-commit hook exist with their flags', async () => {
    const found: string[][] = [];
    const walk = (d: string): string[] => readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : [join(d, n)]));
    for (const f of walk(join(REPO, 'templates'))) {
      const text = readFileSync(f, 'utf8');
      for (const m of text.matchAll(/`(apimops [^`]+)`/g)) found.push(words(m[1]!.replace(/\{\{artifacts\}\}/g, 'artifacts').replace(/\{\{env\}\}/g, 'dev')).slice(1));
      for (const m of text.matchAll(/"\$@" (lint|test)\b([^<|\n]*)/g)) found.push(words(`${m[1]}${m[2]}`));
    }
    expect(found.map((c) => c[0]).sort()).toEqual(['diff', 'extract', 'init', 'init', 'init', 'init', 'lint', 'lint', 'lint', 'publish', 'serve', 'test']);
    for (const argv of found) {
      expect(await unknownFlags(argv), argv.join(' ')).toEqual([]);
      expect((await cli(REPO, [...argv, '--help'])).code).toBe(0);
    }
  });
});

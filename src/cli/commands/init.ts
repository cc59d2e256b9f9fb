import { appendFileSync, chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Option } from 'commander';
import type { CommandModule } from '../command.js';
import type { CliIO } from '../io.js';
import { EXIT_OK, type ExitCode } from '../../shared/exit-codes.js';
import { UserError } from '../../shared/errors.js';

/** Where `init` reads its templates and the sample from (the package root, in `src/` and in `dist/`). */
export const TEMPLATES_DIR = fileURLToPath(new URL('../../../templates/', import.meta.url));
export const SAMPLE_DIR = fileURLToPath(new URL('../../../artifacts-sample/', import.meta.url));
/** The composite action the generated GitHub workflow uses (`action.yml` at the repository root). */
export const ACTION_REF = 'apimops/apimops@v1';

/** What `apimops init` was asked for. */
export interface InitOptions {
  ci?: 'github' | 'azure-pipelines';
  preCommit: boolean;
  fromSample: boolean;
  /** Environment names, in promotion order (the first is published on merge). */
  environments: string[];
  /** The artifact folder, relative to the root. */
  artifacts: string;
  actionRef: string;
  /** Azure Pipelines service connection name. */
  serviceConnection: string;
}

/** One file `init` wants to write (`append`: add the text to an existing file unless it is already there). */
export interface PlannedFile {
  path: string;
  content: string | Buffer;
  mode?: number;
  append?: boolean;
}

/** Substitutes `{{name}}` (never `${{ … }}`, which belongs to GitHub Actions). */
export function renderTemplate(text: string, vars: Readonly<Record<string, string>>): string {
  return text.replace(/(?<!\$)\{\{([A-Za-z][A-Za-z0-9]*)\}\}/g, (whole, name: string) => {
    const v = vars[name];
    if (v === undefined) throw new Error(`template variable {{${name}}} has no value`);
    return v;
  });
}

function template(rel: string): string {
  return readFileSync(join(TEMPLATES_DIR, rel), 'utf8');
}

/**
 * The files `init` writes into `root`, without touching the disk except to read templates, the sample and
 * (for `--pre-commit`) to find the git folder. Pure enough to test what a scaffold contains.
 */
export function planInit(root: string, o: InitOptions): PlannedFile[] {
  const out: PlannedFile[] = [];
  const base = { artifacts: o.artifacts, firstEnv: o.environments[0]!, envList: o.environments.join(', '), actionRef: o.actionRef, serviceConnection: o.serviceConnection };
  const envBlocks = o.environments.map((env) => renderTemplate(template('init/environment.yaml'), { ...base, env }).replace(/\n$/, '')).join('\n');
  out.push({ path: 'apimops.yaml', content: renderTemplate(template('init/apimops.yaml'), { ...base, environments: envBlocks }) });

  if (o.fromSample) {
    for (const rel of listFiles(SAMPLE_DIR)) out.push({ path: join(o.artifacts, rel), content: readFileSync(join(SAMPLE_DIR, rel)) });
  } else {
    out.push({ path: join(o.artifacts, 'README.md'), content: renderTemplate(template('init/artifacts-README.md'), base) });
  }
  for (const env of o.environments) {
    const path = join(o.artifacts, `configuration.${env}.yaml`);
    if (out.some((f) => f.path === path)) continue; // the sample brings its own
    out.push({ path, content: renderTemplate(template('init/configuration.env.yaml'), { ...base, env }) });
  }

  if (o.ci === 'github') {
    const jobs = o.environments
      .map((env, i) => renderTemplate(template('github/publish-job.yml'), { ...base, env, needs: i === 0 ? 'validate' : `publish-${o.environments[i - 1]}` }))
      .join('');
    out.push({ path: join('.github', 'workflows', 'apimops.yml'), content: renderTemplate(template('github/apimops.yml'), { ...base, publishJobs: jobs.replace(/\n$/, '') }) });
  } else if (o.ci === 'azure-pipelines') {
    const stages = o.environments
      .map((env, i) => renderTemplate(template('azure-pipelines/publish-stage.yml'), { ...base, env, envId: stageId(env), needs: i === 0 ? 'validate' : `publish_${stageId(o.environments[i - 1]!)}` }))
      .join('');
    out.push({ path: 'azure-pipelines.yml', content: renderTemplate(template('azure-pipelines/azure-pipelines.yml'), { ...base, publishStages: stages.replace(/\n$/, '') }) });
    // The task wrapper the pipeline's steps use (the Azure Pipelines counterpart of action.yml).
    out.push({ path: join('.azure-pipelines', 'apimops-task.yml'), content: template('azure-pipelines/apimops-task.yml') });
  }

  if (o.preCommit) {
    const hooks = gitHooksDir(root);
    if (!hooks) throw new UserError('E_USAGE', `--pre-commit: ${root} is not in a git repository`, { hint: 'run `git init` first, or leave out --pre-commit' });
    out.push({ path: relative(root, join(hooks, 'pre-commit')), content: template('pre-commit/pre-commit'), mode: 0o755 });
  }
  out.push({ path: '.gitignore', content: '# apimops: the local identity provider key and other machine-local state\n.apimops/\n', append: true });
  return out;
}

function stageId(env: string): string {
  return env.replace(/[^A-Za-z0-9_]/g, '_');
}

function listFiles(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(dir, prefix)).sort()) {
    if (name.startsWith('.')) continue;
    const rel = prefix ? `${prefix}/${name}` : name;
    if (statSync(join(dir, rel)).isDirectory()) out.push(...listFiles(dir, rel));
    else out.push(rel);
  }
  return out;
}

/** The hooks folder of the git repository around `start` (a `.git` folder, or a worktree's `gitdir:` file). */
export function gitHooksDir(start: string): string | undefined {
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    const dotGit = join(dir, '.git');
    if (existsSync(dotGit)) {
      if (statSync(dotGit).isDirectory()) return join(dotGit, 'hooks');
      const m = /^gitdir:\s*(.+)$/m.exec(readFileSync(dotGit, 'utf8'));
      if (m) return join(resolve(dir, m[1]!.trim()), 'hooks');
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/** What happened to each planned file. */
export interface InitResult {
  wrote: string[];
  skipped: string[];
  appended: string[];
}

/** Writes the plan; existing files are left alone unless `force`. */
export function applyInit(root: string, plan: readonly PlannedFile[], force: boolean): InitResult {
  const r: InitResult = { wrote: [], skipped: [], appended: [] };
  for (const f of plan) {
    const abs = join(root, f.path);
    if (f.append) {
      const text = typeof f.content === 'string' ? f.content : f.content.toString('utf8');
      const have = existsSync(abs) ? readFileSync(abs, 'utf8') : undefined;
      const line = text.trim().split('\n').pop()!;
      if (have !== undefined && have.split(/\r?\n/).some((l) => l.trim() === line)) continue;
      if (have === undefined) {
        writeFileSync(abs, text);
        r.wrote.push(f.path);
      } else {
        appendFileSync(abs, `${have.endsWith('\n') || have === '' ? '' : '\n'}${text}`);
        r.appended.push(f.path);
      }
      continue;
    }
    if (existsSync(abs) && !force) {
      r.skipped.push(f.path);
      continue;
    }
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, f.content);
    if (f.mode !== undefined) chmodSync(abs, f.mode);
    r.wrote.push(f.path);
  }
  return r;
}

interface InitFlags {
  ci?: 'github' | 'azure-pipelines';
  preCommit?: boolean;
  fromSample?: boolean;
  force?: boolean;
  env?: string[];
  artifacts: string;
  serviceConnection: string;
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

/**
 * `apimops init`: scaffolds apimops.yaml, an artifact folder (empty, or the sample), configuration.<env>.yaml
 * stubs, a CI pipeline and the pre-commit hook from `templates/`. Never overwrites a file without `--force`;
 * prints every file it wrote or left alone.
 */
export const command: CommandModule = {
  examples: `Example:
  apimops init --ci github --pre-commit
  apimops init --from-sample --ci azure-pipelines --env dev --env test --env prod`,
  define(cmd, io, setExit) {
    cmd
      .usage('[--ci github|azure-pipelines] [--pre-commit] [--from-sample] [--env <name>]... [--artifacts <folder>] [--force]')
      .addOption(new Option('--ci <system>', 'write a CI pipeline: lint, test, diff on PRs, publish on merge with approvals').choices(['github', 'azure-pipelines']))
      .option('--pre-commit', 'install the git pre-commit hook that lints staged artifact files')
      .option('--from-sample', 'fill the artifact folder with the payments sample (with its test cases) instead of leaving it empty')
      .option('--env <name>', 'an environment, in promotion order; repeatable (default: dev, prod)', collect)
      .option('--artifacts <folder>', 'the artifact folder to create', 'artifacts')
      .option('--service-connection <name>', 'Azure Pipelines: the Azure Resource Manager service connection', 'apimops-azure')
      .option('--force', 'overwrite files that exist')
      .action((flags: InitFlags) => {
        setExit(init(io, flags));
      });
  },
};

function init(io: CliIO, flags: InitFlags): ExitCode {
  const environments = flags.env?.length ? flags.env : ['dev', 'prod'];
  for (const e of environments) {
    if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(e)) throw new UserError('E_USAGE', `--env: "${e}" is not a valid environment name (letters, digits, - and _)`);
  }
  if (new Set(environments).size !== environments.length) throw new UserError('E_USAGE', '--env: an environment is named twice');
  if (flags.artifacts.startsWith('/') || flags.artifacts.split(/[\\/]/).includes('..')) {
    throw new UserError('E_USAGE', `--artifacts: "${flags.artifacts}" must be a folder inside the current one`);
  }
  const root = io.cwd;
  const plan = planInit(root, {
    ci: flags.ci,
    preCommit: flags.preCommit ?? false,
    fromSample: flags.fromSample ?? false,
    environments,
    artifacts: flags.artifacts.replace(/[\\/]+$/, '') || 'artifacts',
    actionRef: ACTION_REF,
    serviceConnection: flags.serviceConnection,
  });
  const r = applyInit(root, plan, flags.force ?? false);
  for (const p of r.wrote) io.stdout(`wrote    ${p}\n`);
  for (const p of r.appended) io.stdout(`updated  ${p}\n`);
  for (const p of r.skipped) io.stdout(`skipped  ${p} (exists; --force overwrites)\n`);
  io.stderr(
    `apimops init: ${r.wrote.length} file${r.wrote.length === 1 ? '' : 's'} written${r.skipped.length ? `, ${r.skipped.length} left as they were` : ''}.\n` +
      `next: fill in environments in apimops.yaml, then \`apimops ${flags.fromSample ? `test ${flags.artifacts}` : `extract --env ${environments[0]} --out ${flags.artifacts}`}\`\n`,
  );
  return EXIT_OK;
}

import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { Option } from 'commander';
import { createArmApplier, readDeployment, recordDeployment } from '../../arm/apply.js';
import type { ArmClient } from '../../arm/client.js';
import { loadConfig, overridesPathFor, resolveArtifactsFolder } from '../../artifacts/config.js';
import { loadEffectiveState } from '../../artifacts/effective.js';
import type { ApimState } from '../../artifacts/model.js';
import { openGitRepo, refLabel, type GitRepo } from '../../diff/git.js';
import { changeToJson, renderChange } from '../../diff/render.js';
import type { ExecuteEvent, ExecuteResult } from '../../publish/execute.js';
import type { Plan, PlanStep } from '../../publish/plan.js';
import { applyPublish, preparePublish, withSecrets, type PreparedPublish, type PublishMode } from '../../publish/publish.js';
import type { PlaceholderSource } from '../../publish/secrets.js';
import { loadRangeStates } from '../../publish/states.js';
import { DiagnosticsError, UserError, formatDiagnostic } from '../../shared/errors.js';
import { EXIT_ERROR, EXIT_FINDINGS, EXIT_OK } from '../../shared/exit-codes.js';
import type { CommandModule } from '../command.js';
import type { CliIO } from '../io.js';
import { ProgressModel } from '../output/progress.js';
import { createReporter } from '../output/reporter.js';
import { printWarnings } from './render.js';

/** The ARM side (the Azure SDK, about half a second to load) is loaded only when the command talks to Azure. */
const armSide = () => import('../../publish/environment.js');

interface PublishFlags {
  env?: string;
  from?: string;
  to?: string;
  prune?: boolean;
  dryRun?: boolean;
  /** Flag value; default `publish.parallelism` of apimops.yaml (or APIMOPS_PUBLISH_PARALLELISM), else 8. */
  parallelism?: string;
  yes?: boolean;
  endpoint?: string;
  output: 'text' | 'json';
}

/** Everything decided before the first write. */
interface Prepared {
  mode: PublishMode;
  /** The ARM client, created on first use: a dry run of a commit range needs no Azure access at all. */
  arm: () => ArmClient;
  prepared: PreparedPublish;
  sources: PlaceholderSource[];
  /** The commit to record as deployed after a complete publish. */
  commit?: string;
  description: string;
}

/**
 * The commit a live publish of the working tree deploys: HEAD, when the folder has no uncommitted change
 * (otherwise what is deployed is no commit at all, and recording one would mislead `--from last-deployed`).
 */
async function deployedCommitOf(io: CliIO, folder: string): Promise<string | undefined> {
  let repo: GitRepo;
  try {
    repo = await openGitRepo(folder);
  } catch {
    return undefined; // not a repository: nothing to record
  }
  const head = await repo.resolveCommit('HEAD').catch(() => undefined);
  if (head && !(await repo.isClean(folder))) {
    io.stderr(`note: ${folder} has uncommitted changes; the deployment will not be recorded as ${head.slice(0, 12)}\n`);
    return undefined;
  }
  return head;
}

async function prepare(io: CliIO, flags: PublishFlags, folderArg: string | undefined, configPath: string | undefined): Promise<Prepared> {
  const { armForEnvironment, loadLiveState } = await armSide();
  const env = flags.env!;
  const loaded = loadConfig({ cwd: io.cwd, configPath, env: io.env });
  let client: ArmClient | undefined;
  const arm = () => (client ??= armForEnvironment(loaded, env, io.env, flags.endpoint));
  const folder = resolveArtifactsFolder(loaded, io.cwd, folderArg);
  if (flags.from !== undefined) {
    const repo = await openGitRepo(folder);
    let fromRef = flags.from;
    if (fromRef === 'last-deployed') {
      const record = await readDeployment(arm());
      if (!record) {
        throw new UserError('E_CONFIG', `environment '${env}' has no recorded deployment for --from last-deployed`, {
          hint: 'publish it once without --from (against the live service); that records the commit',
        });
      }
      fromRef = record.commit;
    }
    const from = await repo.resolveCommit(fromRef);
    const to = await repo.resolveCommit(flags.to ?? 'HEAD');
    // One read before any write: a wrong target, a missing role or an expired token fails here (exit 2),
    // with nothing written, instead of on the first level's PUTs.
    if (flags.from !== 'last-deployed' && !flags.dryRun) await readDeployment(arm());
    const overrides = overridesPathFor(loaded, env, folder);
    const { from: a, to: b } = await loadRangeStates(repo, from, to, folder, overrides);
    printWarnings(io, b.diagnostics);
    const sources = b.overrides ? [b.overrides] : [];
    return {
      mode: 'range',
      arm,
      prepared: preparePublish(a.state, b.state, { mode: 'range' }),
      sources,
      commit: to,
      description: `${refLabel(fromRef, from)} → ${refLabel(flags.to ?? 'HEAD', to)} to ${env}`,
    };
  }
  if (flags.to !== undefined) throw new UserError('E_USAGE', '--to needs --from');
  const target = await loadEffectiveState({ cwd: io.cwd, env: io.env, configPath, folder: folderArg, environment: env });
  printWarnings(io, target.diagnostics);
  const live: ApimState = await loadLiveState(arm(), { parallelism: Number(flags.parallelism ?? 8) });
  const commit = await deployedCommitOf(io, target.folder);
  const sources: PlaceholderSource[] = [];
  if (target.overridesFile) {
    sources.push({ file: target.overridesFile, text: readFileSync(target.overridesFile, 'utf8') });
  }
  return {
    mode: 'live',
    arm,
    prepared: preparePublish(live, target.state, { mode: 'live', prune: flags.prune === true }),
    sources,
    ...(commit ? { commit } : {}),
    description: `${target.folder} to ${env} (${arm().serviceName}, live)`,
  };
}

function planLines(plan: Plan): string[] {
  const lines: string[] = [];
  for (const level of plan.levels) {
    lines.push(`${level.label}:`);
    for (const step of level.steps) {
      const [head] = renderChange(step.change, { details: false });
      lines.push(`  ${head}${step.renamedTo ? ` (renamed to ${step.renamedTo})` : ''}`);
    }
  }
  return lines;
}

function counts(steps: readonly { change: { op: string } }[]): string {
  const c = { create: 0, update: 0, delete: 0 };
  for (const s of steps) c[s.change.op as keyof typeof c]++;
  return `Created: ${c.create}, Updated: ${c.update}, Deleted: ${c.delete}`;
}

/** Plain progress lines on stderr, one per change (CI logs, like APIOps' "Putting …" lines). */
function progressLines(io: CliIO): (e: ExecuteEvent) => void {
  return (e) => {
    if (e.type === 'level') io.stderr(`${e.label} (${e.steps} change${e.steps === 1 ? '' : 's'})\n`);
    else if (e.type === 'done') io.stderr(`  ✓ ${e.step.change.op} ${e.step.change.kind} ${e.step.change.key} (${Math.round(e.ms)} ms)\n`);
    else if (e.type === 'retry') io.stderr(`  ↻ ${e.step.change.key}: ${e.reason}, retry ${e.attempt} in ${e.delayMs} ms\n`);
    else if (e.type === 'failed') io.stderr(`  ✗ ${e.step.change.op} ${e.step.change.kind} ${e.step.change.key}: ${(e.error as Error).message}\n`);
  };
}

/**
 * On an interactive terminal: the shared ink progress view (rows per kind, done/total), failures and
 * retries printed above it. Elsewhere: one plain line per change.
 */
async function progressFor(io: CliIO, plan: Plan): Promise<{ onEvent: (e: ExecuteEvent) => void; stop: () => Promise<void> }> {
  if (!io.interactive) return { onEvent: progressLines(io), stop: async () => {} };
  const now = () => performance.now();
  const model = new ProgressModel('publish', now());
  const label = (s: PlanStep) => `${s.change.op} ${s.change.kind}`;
  const totals = new Map<string, number>();
  for (const s of plan.levels.flatMap((l) => l.steps)) totals.set(label(s), (totals.get(label(s)) ?? 0) + 1);
  for (const [l, n] of totals) model.setTotal(l, n);
  const reporter = await createReporter(io, model, 'text', now);
  return {
    onEvent(e) {
      if (e.type === 'level') model.phase = e.label;
      else if (e.type === 'done') model.done(label(e.step));
      else if (e.type === 'retry') reporter.log(`↻ ${e.step.change.key}: ${e.reason}, retry ${e.attempt} in ${e.delayMs} ms`);
      else if (e.type === 'failed') {
        model.error(label(e.step));
        reporter.log(`✗ ${e.step.change.op} ${e.step.change.kind} ${e.step.change.key}: ${(e.error as Error).message}`);
      }
      reporter.update();
    },
    stop: () => reporter.stop(),
  };
}

function resultJson(p: Prepared, result: ExecuteResult | undefined, dryRun: boolean): Record<string, unknown> {
  const stepJson = (s: { change: Parameters<typeof changeToJson>[0] }) => changeToJson(s.change);
  return {
    target: p.description,
    mode: p.mode,
    dryRun,
    summary: p.prepared.changeSet.summary,
    plan: p.prepared.plan.levels.map((l) => ({ label: l.label, phase: l.phase, changes: l.steps.map(stepJson) })),
    prunable: p.prepared.prunable.map((c) => c.key),
    ...(result
      ? {
          complete: result.complete,
          done: result.done.map((s) => s.change.key),
          failed: result.failed.map((f) => ({ key: f.step.change.key, error: (f.error as Error).message })),
          notRun: result.notRun.map((s) => s.change.key),
        }
      : {}),
    ...(p.commit ? { commit: p.commit } : {}),
  };
}

/**
 * `apimops publish --env E`: with `--from A [--to B]` publishes exactly what that commit range changed
 * (overrides applied to both sides; `--from last-deployed` starts at the commit recorded in the service);
 * without `--from`, diffs the folder against the live service and applies the differences (deletes only
 * with `--prune --yes`). `--dry-run` prints the plan. Exit 0 all applied, 1 partially applied (what was and
 * was not done is printed; run again to finish), 2 nothing applied (bad input, auth, missing secret).
 */
export const command: CommandModule = {
  examples: `Examples:
  apimops publish --env dev --from HEAD~1 --dry-run
  apimops publish --env prod --from last-deployed
  apimops publish --env test --prune --yes --parallelism 8`,
  define(cmd: Command, io, setExit) {
    cmd
      .usage('[<folder>] --env <name> [--from <git-ref> [--to <git-ref>]] [--prune] [--dry-run] [--parallelism <n>] [--yes] [--output json]')
      .argument('[folder]', 'the artifact folder (default: `artifacts` of apimops.yaml, else .)')
      .option('--env <name>', 'the environment to publish to (apimops.yaml environments)')
      .option('--from <git-ref>', 'publish what changed since this commit (`last-deployed`: the commit recorded in the service)')
      .option('--to <git-ref>', 'publish up to this commit (default HEAD)')
      .option('--prune', 'without --from: delete what the live service has and the folder does not')
      .option('--dry-run', 'print the plan, change nothing')
      .option('--parallelism <n>', 'changes in flight at once within a level (default: publish.parallelism of apimops.yaml, else 8)')
      .option('--yes', 'confirm deletes of --prune')
      .option('--endpoint <url>', 'ARM endpoint (sovereign clouds; a fake ARM server on 127.0.0.1 in tests)')
      .addOption(new Option('--output <format>', 'result format').choices(['text', 'json']).default('text'))
      .action(async (folder: string | undefined, flags: PublishFlags, self: Command) => {
        const { config } = self.optsWithGlobals<{ config?: string }>();
        if (!flags.env) throw new UserError('E_USAGE', 'publish needs --env <name>', { hint: 'apimops publish --env dev --dry-run' });
        flags.parallelism ??= String(loadConfig({ cwd: io.cwd, configPath: config, env: io.env }).config.publish?.parallelism ?? 8);
        const parallelism = Number(flags.parallelism);
        if (!Number.isInteger(parallelism) || parallelism < 1) throw new UserError('E_USAGE', `--parallelism must be an integer ≥ 1 (got '${flags.parallelism}')`);
        if (flags.prune && flags.from !== undefined) {
          throw new UserError('E_USAGE', '--prune applies to a publish against the live service; a commit range already deletes what it removed');
        }
        const p = await prepare(io, flags, folder, config);
        const plan = p.prepared.plan;
        const json = flags.output === 'json';

        if (!json) {
          io.stdout(`publish ${p.description}${flags.dryRun ? ' (dry run)' : ''}\n`);
          io.stdout(plan.levels.length === 0 ? 'No changes.\n' : `${planLines(plan).join('\n')}\n`);
          if (p.prepared.prunable.length > 0) {
            io.stdout(`${p.prepared.prunable.length} resource(s) only in the service (deleted with --prune): ${p.prepared.prunable.map((c) => c.key).join(', ')}\n`);
          }
        }
        if (flags.dryRun) {
          try {
            withSecrets(plan, io.env, p.sources);
          } catch (err) {
            // a dry run reports missing secrets without failing: the real run will stop on them
            if (err instanceof DiagnosticsError) for (const d of err.diagnostics) io.stderr(`${formatDiagnostic({ ...d, message: `warning: ${d.message}` })}\n`);
          }
          if (json) io.stdout(`${JSON.stringify(resultJson(p, undefined, true), null, 2)}\n`);
          else io.stdout(`Summary: ${p.prepared.changeSet.summary.created} to create, ${p.prepared.changeSet.summary.updated} to update, ${p.prepared.changeSet.summary.deleted} to delete\n`);
          setExit(EXIT_OK);
          return;
        }
        const deletes = plan.levels.flatMap((l) => l.steps).filter((s) => s.change.op === 'delete' && !s.renamedTo);
        if (p.mode === 'live' && flags.prune && deletes.length > 0 && !flags.yes) {
          throw new UserError('E_USAGE', `--prune would delete ${deletes.length} resource(s): ${deletes.map((s) => s.change.key).join(', ')}`, {
            hint: 'run again with --yes to delete them (nothing was changed)',
          });
        }
        const applier = createArmApplier(p.arm());
        const progress = json ? undefined : await progressFor(io, plan);
        let result: ExecuteResult;
        try {
          result = await applyPublish(p.prepared, applier, {
            parallelism,
            env: io.env,
            placeholderSources: p.sources,
            ...(progress ? { onEvent: progress.onEvent } : {}),
          });
        } finally {
          await progress?.stop();
        }
        if (result.complete && p.commit) await recordDeployment(p.arm(), { commit: p.commit, at: new Date().toISOString() });
        if (json) {
          io.stdout(`${JSON.stringify({ ...resultJson(p, result, false), armCalls: applier.calls }, null, 2)}\n`);
        } else if (result.complete) {
          io.stdout(`Published. ${counts(result.done)} (${applier.calls} ARM calls)${p.commit ? `; recorded ${p.commit.slice(0, 12)} as deployed` : ''}\n`);
        } else {
          io.stdout(`Publish stopped: ${result.failed.length} change(s) failed.\n`);
          io.stdout(`Done (${result.done.length}): ${counts(result.done)}\n`);
          for (const f of result.failed) io.stdout(`Failed: ${f.step.change.op} ${f.step.change.key}: ${(f.error as Error).message}\n`);
          if (result.notRun.length > 0) io.stdout(`Not run (${result.notRun.length}): ${result.notRun.map((s) => `${s.change.op} ${s.change.key}`).join(', ')}\n`);
          io.stdout('Run the same publish again to complete it.\n');
        }
        if (result.complete) setExit(EXIT_OK);
        else setExit(result.done.length === 0 ? EXIT_ERROR : EXIT_FINDINGS);
      });
  },
};

import type { Command } from 'commander';
import { Option } from 'commander';
import { readDeployment } from '../../arm/apply.js';
import { loadConfig, overridesPathFor, resolveArtifactsFolder } from '../../artifacts/config.js';
import { loadEffectiveState } from '../../artifacts/effective.js';
import { diffStates, type ChangeSet } from '../../diff/diff.js';
import { openGitRepo, refLabel } from '../../diff/git.js';
import { changeSetToJson, renderChangeSetText } from '../../diff/render.js';
import { loadRangeStates } from '../../publish/states.js';
import { UserError } from '../../shared/errors.js';
import { EXIT_FINDINGS, EXIT_OK } from '../../shared/exit-codes.js';
import type { CommandModule } from '../command.js';
import type { CliIO } from '../io.js';
import { printWarnings } from './render.js';

/** The ARM side (the Azure SDK, about half a second to load) is loaded only when the command talks to Azure. */
const armSide = () => import('../../publish/environment.js');

interface DiffFlags {
  from?: string;
  to?: string;
  env?: string;
  live?: boolean;
  sinceDeployed?: boolean;
  exitCode?: boolean;
  endpoint?: string;
  output: 'text' | 'json';
}

/** What `apimops diff` compared, for the title line and the JSON document. */
interface Compared {
  from: string;
  to: string;
  changeSet: ChangeSet;
}

async function diffRange(io: CliIO, flags: DiffFlags, folderArg: string | undefined, configPath: string | undefined, fromRef: string): Promise<Compared> {
  const loaded = loadConfig({ cwd: io.cwd, configPath, env: io.env });
  const folder = resolveArtifactsFolder(loaded, io.cwd, folderArg);
  const repo = await openGitRepo(folder);
  const from = await repo.resolveCommit(fromRef);
  const to = await repo.resolveCommit(flags.to ?? 'HEAD');
  const overrides = flags.env ? overridesPathFor(loaded, flags.env, folder) : undefined;
  const { from: a, to: b } = await loadRangeStates(repo, from, to, folder, overrides);
  printWarnings(io, b.diagnostics);
  // both sides come from git: every value is known, secrets included (an override-only change is a change)
  const changeSet = diffStates(a.state, b.state, { secretsMayBeHidden: false });
  return { from: refLabel(fromRef, from), to: refLabel(flags.to ?? 'HEAD', to), changeSet };
}

async function diffLive(io: CliIO, flags: DiffFlags, folderArg: string | undefined, configPath: string | undefined): Promise<Compared> {
  if (!flags.env) throw new UserError('E_USAGE', '--live needs --env <name> (the environment whose service to compare with)');
  const target = await loadEffectiveState({ cwd: io.cwd, env: io.env, configPath, folder: folderArg, environment: flags.env });
  printWarnings(io, target.diagnostics);
  const { armForEnvironment, loadLiveState } = await armSide();
  const arm = armForEnvironment(target.config, flags.env, io.env, flags.endpoint);
  const live = await loadLiveState(arm);
  const changeSet = diffStates(live, target.state);
  return { from: `live service ${arm.serviceName} (${flags.env})`, to: `${target.folder} + ${flags.env} overrides`, changeSet };
}

/**
 * `apimops diff`: what a commit range changed (`--from A [--to B]`, overrides of `--env` applied to both
 * sides), where an environment stands since its last publish (`--env E --since-deployed`), or how the live
 * service has drifted from the folder (`--env E --live`). Secrets are masked. `--exit-code` exits 1 when
 * there are changes (like `git diff --exit-code`).
 */
export const command: CommandModule = {
  examples: `Examples:
  apimops diff --from origin/main --to HEAD
  apimops diff --from HEAD~3 --env prod --output json
  apimops diff --env prod --live --exit-code
  apimops diff --env test --since-deployed`,
  define(cmd: Command, io, setExit) {
    cmd
      .usage('[<folder>] --from <git-ref> [--to <git-ref>] | [<folder>] --env <name> --live  [--exit-code] [--output json]')
      .argument('[folder]', 'the artifact folder (default: `artifacts` of apimops.yaml, else .)')
      .option('--from <git-ref>', 'the commit the range starts from')
      .option('--to <git-ref>', 'the commit the range ends at (default HEAD)')
      .option('--env <name>', "apply this environment's overrides (configuration.<name>.yaml) to both sides")
      .option('--live', 'compare the folder (+ overrides of --env) with the live service of --env')
      .option('--since-deployed', 'compare the commit last published to --env (recorded in the service) with --to')
      .option('--exit-code', 'exit 1 when there are changes')
      .option('--endpoint <url>', 'ARM endpoint (sovereign clouds; a fake ARM server on 127.0.0.1 in tests)')
      .addOption(new Option('--output <format>', 'result format').choices(['text', 'json']).default('text'))
      .action(async (folder: string | undefined, flags: DiffFlags, self: Command) => {
        const { config } = self.optsWithGlobals<{ config?: string }>();
        const modes = [flags.from !== undefined, flags.live === true, flags.sinceDeployed === true].filter(Boolean).length;
        if (modes !== 1) {
          throw new UserError('E_USAGE', 'choose one of --from <git-ref>, --live, --since-deployed', {
            hint: 'apimops diff --from HEAD~1   |   apimops diff --env prod --live',
          });
        }
        let compared: Compared;
        if (flags.live) {
          compared = await diffLive(io, flags, folder, config);
        } else if (flags.sinceDeployed) {
          if (!flags.env) throw new UserError('E_USAGE', '--since-deployed needs --env <name>');
          const loaded = loadConfig({ cwd: io.cwd, configPath: config, env: io.env });
          const { armForEnvironment } = await armSide();
          const record = await readDeployment(armForEnvironment(loaded, flags.env, io.env, flags.endpoint));
          if (!record) {
            throw new UserError('E_CONFIG', `environment '${flags.env}' has no recorded deployment`, {
              hint: 'publish it once with `apimops publish --env <name>`; use --live to compare with the service itself',
            });
          }
          compared = await diffRange(io, flags, folder, config, record.commit);
        } else {
          compared = await diffRange(io, flags, folder, config, flags.from!);
        }
        if (flags.output === 'json') {
          io.stdout(`${JSON.stringify(changeSetToJson(compared.changeSet, { from: compared.from, to: compared.to }), null, 2)}\n`);
        } else {
          io.stdout(renderChangeSetText(compared.changeSet, { title: `diff ${compared.from} → ${compared.to}` }));
        }
        setExit(flags.exitCode && compared.changeSet.changes.length > 0 ? EXIT_FINDINGS : EXIT_OK);
      });
  },
};

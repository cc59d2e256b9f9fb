import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { getEnvironment, loadConfig, resolveArtifactsFolder, type LoadedConfig } from '../../artifacts/config.js';
import type { ExtractEvent, ExtractResult } from '../../extract/extract.js';
import { EXTRACT_ALL, parseExtractFilter, workspaceOnlyFilter, type ExtractFilter } from '../../extract/filter.js';
import { UserError } from '../../shared/errors.js';
import { EXIT_ERROR, EXIT_OK } from '../../shared/exit-codes.js';
import type { CommandModule } from '../command.js';
import type { CliIO } from '../io.js';
import { ProgressModel } from '../output/progress.js';
import { createReporter } from '../output/reporter.js';

interface ExtractFlags {
  env?: string;
  subscription?: string;
  resourceGroup?: string;
  service?: string;
  out?: string;
  filter?: string;
  workspace?: string;
  parallelism?: string;
  endpoint?: string;
  specFormat?: string;
  output: 'text' | 'json';
}

/** `--spec-format` values (apimops names, plus the Azure/apiops `API_SPECIFICATION_FORMAT` spellings). */
const SPEC_FORMATS: Record<string, 'openapi+yaml' | 'openapi+json'> = {
  'openapi+yaml': 'openapi+yaml',
  'openapi+json': 'openapi+json',
  yaml: 'openapi+yaml',
  json: 'openapi+json',
  openapiv3yaml: 'openapi+yaml',
  openapiv3json: 'openapi+json',
};

function resolveTarget(loaded: LoadedConfig, flags: ExtractFlags, env: NodeJS.ProcessEnv) {
  let subscriptionId = flags.subscription;
  let resourceGroup = flags.resourceGroup;
  let serviceName = flags.service;
  let endpoint = flags.endpoint;
  let workspace = flags.workspace;
  if (flags.env) {
    const e = getEnvironment(loaded, flags.env, { env });
    subscriptionId ??= e.subscriptionId;
    resourceGroup ??= e.resourceGroup;
    serviceName ??= e.serviceName;
    endpoint ??= e.endpoint;
    workspace ??= e.workspace;
  }
  const missing = [
    ['--subscription', subscriptionId],
    ['--resource-group', resourceGroup],
    ['--service', serviceName],
  ].filter(([, v]) => !v);
  if (missing.length > 0) {
    throw new UserError('E_USAGE', `extract needs the service: ${missing.map(([f]) => f).join(', ')} ${missing.length > 1 ? 'are' : 'is'} missing`, {
      hint: 'pass --env <name> (an environment of apimops.yaml), or --subscription <id> --resource-group <rg> --service <name>',
    });
  }
  return { subscriptionId: subscriptionId!, resourceGroup: resourceGroup!, serviceName: serviceName!, endpoint, workspace: workspace ?? loaded.config.extract?.workspace };
}

/**
 * The filter file: `--filter` (relative to the cwd), else `extract.filter` of apimops.yaml, relative to the
 * artifact folder like the environments' `overrides` (the sample keeps it there), else to apimops.yaml.
 */
function loadFilter(loaded: LoadedConfig, cwd: string, flag: string | undefined): { filter: ExtractFilter; file?: string } {
  const configured = loaded.config.extract?.filter;
  let file: string | undefined;
  if (flag) file = resolve(cwd, flag);
  else if (configured) {
    const candidates = isAbsolute(configured) ? [configured] : [resolve(resolveArtifactsFolder(loaded, cwd), configured), resolve(loaded.dir, configured)];
    file = candidates.find((c) => existsSync(c)) ?? candidates[0];
  }
  if (!file) return { filter: EXTRACT_ALL };
  if (!existsSync(file)) {
    throw new UserError('E_CONFIG', `the extract filter ${file} does not exist`, {
      hint: flag ? 'check --filter' : 'check extract.filter in apimops.yaml (relative to the artifact folder, or to apimops.yaml)',
    });
  }
  const display = relative(cwd, file) || file;
  return { filter: parseExtractFilter(readFileSync(file, 'utf8'), display), file };
}

function summaryText(result: ExtractResult, cwd: string): string {
  const lines: string[] = [];
  const kinds = Object.entries(result.extracted)
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
  const rel = relative(cwd, result.out);
  const where = rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? result.out : rel;
  if (result.ok) {
    lines.push(`Extracted ${kinds || 'nothing'} into ${where}.`);
    lines.push(
      result.files.changed
        ? `${result.files.written} files written, ${result.files.removed} removed (${result.calls} ARM calls in ${(result.elapsedMs / 1000).toFixed(1)}s${result.throttled ? `, ${result.throttled} throttled` : ''}).`
        : `No changes: ${where} already matches the service (${result.calls} ARM calls in ${(result.elapsedMs / 1000).toFixed(1)}s).`,
    );
  } else {
    lines.push(`Extract failed: ${result.failures.length} resource${result.failures.length > 1 ? 's' : ''} could not be read; ${where} was not changed.`);
    lines.push(`Read: ${kinds || 'nothing'}.`);
    for (const f of result.failures) lines.push(`Not read: ${f.key} (${f.kind}): ${f.error.message}`);
    const hint = result.failures.find((f) => f.error.hint)?.error.hint;
    if (hint) lines.push(`hint: ${hint}`);
  }
  return `${lines.join('\n')}\n`;
}

function resultJson(result: ExtractResult) {
  return {
    ok: result.ok,
    out: result.out,
    extracted: result.extracted,
    files: result.files,
    failures: result.failures.map((f) => ({ kind: f.kind, key: f.key, code: f.error.code, message: f.error.message })),
    calls: result.calls,
    throttled: result.throttled,
    backoffs: result.backoffs,
    peakParallel: result.peakParallel,
    elapsedMs: result.elapsedMs,
  };
}

/** Feeds extract events into the progress model and the reporter. */
function progressHandler(model: ProgressModel, reporter: { update(): void; log(line: string): void }) {
  return (e: ExtractEvent) => {
    switch (e.type) {
      case 'listed':
        model.phase = 'reading';
        model.setTotal(e.kind, e.count);
        break;
      case 'fetched':
        model.done(e.kind);
        break;
      case 'failed':
        model.error(e.kind);
        reporter.log(`failed: ${e.key}: ${e.error.message}`);
        break;
      case 'response':
        model.response(e.throttled, e.limit);
        break;
      case 'writing':
        model.phase = 'writing';
        break;
      default:
        break;
    }
    reporter.update();
  };
}

export const command: CommandModule = {
  examples: `Examples:
  apimops extract --env dev --out artifacts
  apimops extract --subscription <id> --resource-group rg-apim --service apim-contoso --filter configuration.extractor.yaml
  apimops extract --env dev --workspace team-a --spec-format openapi+json
  npm run fake-arm -- --port 8081 --seed artifacts-sample &   # then, without Azure:
  apimops extract --subscription 00000000-0000-0000-0000-000000000000 --resource-group rg-apim --service apim-fake --endpoint http://127.0.0.1:8081 --out /tmp/extracted`,
  define(cmd: Command, io: CliIO, setExit) {
    cmd
      .usage('[--env <name> | --subscription <id> --resource-group <rg> --service <name>] [--out <folder>] [--filter <file>] [--workspace <name>] [--parallelism <n>] [--endpoint <arm-url>] [--spec-format openapi+yaml|openapi+json] [--output text|json]')
      .option('--env <name>', 'the environment of apimops.yaml to extract from')
      .option('--subscription <id>', 'Azure subscription id of the service')
      .option('--resource-group <rg>', 'resource group of the service')
      .option('--service <name>', 'API Management service name')
      .option('--out <folder>', 'the artifact folder to write (default: `artifacts` of apimops.yaml, else .)')
      .option('--filter <file>', 'configuration.extractor.yaml: which resources to take (default: extract.filter of apimops.yaml, else all)')
      .option('--workspace <name>', 'extract only this workspace')
      .option('--parallelism <n>', 'ARM calls in flight at once (default 8; lowered automatically while Azure throttles)')
      .option('--endpoint <arm-url>', 'ARM endpoint: a URL or AzureChinaCloud/AzureUSGovernment; http://127.0.0.1:<port> for a local fake ARM')
      .option('--spec-format <format>', 'API definition format: openapi+yaml (default) or openapi+json')
      .addOption(new Option('--output <format>', 'result format').choices(['text', 'json']).default('text'))
      .action(async (flags: ExtractFlags, self: Command) => {
        const { config } = self.optsWithGlobals<{ config?: string }>();
        const loaded = loadConfig({ cwd: io.cwd, configPath: config, env: io.env });
        const target = resolveTarget(loaded, flags, io.env);
        const parallelismText = flags.parallelism ?? String(loaded.config.extract?.parallelism ?? 8);
        const parallelism = Number(parallelismText);
        if (!Number.isInteger(parallelism) || parallelism < 1 || parallelism > 64) {
          throw new UserError('E_USAGE', `--parallelism must be an integer from 1 to 64 (got '${parallelismText}')`);
        }
        const specText = flags.specFormat ?? loaded.config.extract?.apiSpecificationFormat ?? 'openapi+yaml';
        const specFormat = SPEC_FORMATS[specText.toLowerCase()];
        if (!specFormat) throw new UserError('E_USAGE', `--spec-format must be openapi+yaml or openapi+json (got '${specText}')`);
        let { filter } = loadFilter(loaded, io.cwd, flags.filter);
        if (target.workspace) filter = workspaceOnlyFilter(target.workspace, filter);
        const out = flags.out ? resolve(io.cwd, flags.out) : resolveArtifactsFolder(loaded, io.cwd);

        const now = () => performance.now();
        const model = new ProgressModel('extract', now());
        const reporter = await createReporter(io, model, flags.output, now);
        let result: ExtractResult;
        // Extract's ARM client (the Azure SDK, about half a second to load) is loaded only when extract runs.
        const { runExtract } = await import('../../extract/extract.js');
        try {
          result = await runExtract({
            target: { subscriptionId: target.subscriptionId, resourceGroup: target.resourceGroup, serviceName: target.serviceName, ...(target.endpoint ? { endpoint: target.endpoint } : {}) },
            env: io.env,
            out,
            filter,
            specFormat,
            parallelism,
            onEvent: progressHandler(model, reporter),
          });
        } catch (err) {
          // --output json: stdout still carries one document; the error itself goes to stderr as usual
          if (flags.output === 'json' && err instanceof UserError) {
            io.stdout(`${JSON.stringify({ ok: false, out, error: { code: err.code, message: err.message, ...(err.hint ? { hint: err.hint } : {}) } }, null, 2)}\n`);
          }
          throw err;
        } finally {
          await reporter.stop();
        }
        if (flags.output === 'json') io.stdout(`${JSON.stringify(resultJson(result), null, 2)}\n`);
        else io.stdout(summaryText(result, io.cwd));
        setExit(result.ok ? EXIT_OK : EXIT_ERROR);
      });
  },
};

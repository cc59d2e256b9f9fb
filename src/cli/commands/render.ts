import type { Command } from 'commander';
import { Option } from 'commander';
import { loadEffectiveState } from '../../artifacts/effective.js';
import { allResources, type ApimState, type Resource } from '../../artifacts/model.js';
import { maskSecrets } from '../../artifacts/secrets.js';
import { sortKeysDeep } from '../../artifacts/normalize.js';
import { toYaml } from '../../artifacts/writer.js';
import { formatDiagnostic, type Diagnostic } from '../../shared/errors.js';
import { EXIT_OK } from '../../shared/exit-codes.js';
import type { CommandModule } from '../command.js';
import type { CliIO } from '../io.js';

interface RenderFlags {
  env?: string;
  output: 'text' | 'json';
}

/** One resource as `render` shows it: the effective properties, the policy XML, where the definition is. */
export function renderedResource(r: Resource): Record<string, unknown> {
  const out: Record<string, unknown> = { kind: r.kind, properties: r.properties };
  if (r.workspace) out.workspace = r.workspace;
  if (r.fromSpecification) out.fromSpecification = true;
  if (r.policy) out.policy = r.policy.text;
  if (r.specification) out.specification = { format: r.specification.format, file: r.specification.origin?.file };
  return out;
}

/** The effective state as one document: resource key → resource, in the model's deterministic order. */
export function renderState(state: ApimState): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const r of allResources(maskSecrets(state))) out[r.key] = sortKeysDeep(renderedResource(r)) as Record<string, unknown>;
  return out;
}

/** Warnings on stderr as `file:line:column: warning: message`. */
export function printWarnings(io: CliIO, diagnostics: readonly Diagnostic[]): void {
  for (const d of diagnostics) {
    if (d.severity === 'error') continue;
    const label = d.severity === 'info' ? 'info' : 'warning';
    io.stderr(`${formatDiagnostic({ ...d, message: `${label}: ${d.message}` })}\n`);
  }
}

/**
 * `apimops render`: the effective state of a folder after an environment's overrides, secrets masked as
 * `***` (CLI.md). YAML by default (keys are the resource keys), JSON with `--output json`.
 */
export const command: CommandModule = {
  examples: `Examples:
  apimops render artifacts-sample --env dev
  apimops render --env prod --output json`,
  define(cmd: Command, io, setExit) {
    cmd
      .usage('[<folder>] --env <name> [--output text|json]')
      .argument('[folder]', 'the artifact folder (default: `artifacts` of apimops.yaml, else .)')
      .option('--env <name>', "the environment whose overrides apply (configuration.<name>.yaml); `local` applies configuration.local.yaml when present")
      .addOption(new Option('--output <format>', 'result format').choices(['text', 'json']).default('text'))
      .action(async (folder: string | undefined, flags: RenderFlags, self: Command) => {
        const globals = self.optsWithGlobals<{ config?: string }>();
        const loaded = await loadEffectiveState({
          cwd: io.cwd,
          env: io.env,
          configPath: globals.config,
          folder,
          environment: flags.env,
        });
        printWarnings(io, loaded.diagnostics);
        const resources = renderState(loaded.state);
        if (flags.output === 'json') {
          const doc = {
            folder: loaded.folder,
            environment: flags.env ?? null,
            overrides: loaded.overridesFile ?? null,
            layout: loaded.layout,
            resources: Object.entries(resources).map(([key, r]) => ({ key, ...r })),
          };
          io.stdout(`${JSON.stringify(doc, null, 2)}\n`);
        } else {
          const head = `# apimops render: ${loaded.folder}${flags.env ? `, environment ${flags.env}` : ''}${loaded.overridesFile ? ` (${loaded.overridesFile})` : ''}\n`;
          io.stdout(head + toYaml(resources));
        }
        setExit(EXIT_OK);
      });
  },
};

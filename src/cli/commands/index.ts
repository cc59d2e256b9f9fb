import type { CommandModule } from '../command.js';

/** A command as `apimops --help` lists it, and its module, loaded only when the command runs. */
export interface CommandEntry {
  name: string;
  /** One line for `apimops --help`. */
  summary: string;
  load(): Promise<CommandModule>;
}

/**
 * Every command of CLI.md, in the order `apimops --help` lists them. A command's module (and what it imports:
 * the Azure SDK, the gateway, ajv, git…) is loaded only when that command runs, so `apimops lint <file>` in a
 * pre-commit hook does not pay for the others' start-up.
 */
export const COMMANDS: readonly CommandEntry[] = [
  { name: 'extract', summary: 'Extract a live APIM instance into an artifact folder', load: async () => (await import('./extract.js')).command },
  { name: 'diff', summary: 'Show what changed between two commits, or between the folder and a live instance', load: async () => (await import('./diff.js')).command },
  { name: 'publish', summary: 'Publish the folder (or what a commit range changed) to an environment', load: async () => (await import('./publish.js')).command },
  { name: 'lint', summary: 'Lint policy XML and artifact files (missing <base />, undefined references, ...)', load: async () => (await import('./lint.js')).command },
  { name: 'serve', summary: 'Run the artifact folder as a local APIM gateway', load: async () => (await import('./serve.js')).command },
  { name: 'token', summary: 'Mint a JWT from the local identity provider', load: async () => (await import('./token.js')).command },
  { name: 'test', summary: 'Run policy test cases against the artifact folder through the local gateway', load: async () => (await import('./test.js')).command },
  { name: 'render', summary: "Print the effective state of a folder after an environment's overrides", load: async () => (await import('./render.js')).command },
  { name: 'convert', summary: 'Rewrite an Azure/apiops v7 folder into the apimops layout', load: async () => (await import('./convert.js')).command },
  { name: 'init', summary: 'Scaffold apimops.yaml, environments, CI pipelines and a pre-commit hook', load: async () => (await import('./init.js')).command },
];

import type { Command } from 'commander';
import { copyFileSync, existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { folderSource } from '../../artifacts/folder-source.js';
import { loadArtifacts } from '../../artifacts/reader.js';
import { writeArtifacts } from '../../artifacts/writer.js';
import { UserError } from '../../shared/errors.js';
import { EXIT_OK } from '../../shared/exit-codes.js';
import type { CommandModule } from '../command.js';
import { printWarnings } from './render.js';

/**
 * `apimops convert <apiops-folder> <out-folder>`: reads an Azure/apiops v7 folder (JSON `*Information.json`,
 * `named values/`, marker-file links) and writes it in the apimops layout. The output folder must be new or
 * empty, so nothing of the user's is overwritten. `configuration.*.yaml` files at the folder's root (APIOps
 * overrides and extractor filter, which apimops reads unchanged) are copied along.
 */
export const command: CommandModule = {
  examples: `Examples:
  apimops convert apimartifacts artifacts
  apimops convert artifacts apimartifacts --to apiops     # back to the Azure/apiops layout`,
  define(cmd: Command, io, setExit) {
    cmd
      .usage('<apiops-folder> <out-folder> [--to apimops|apiops]')
      .argument('<apiops-folder>', 'the Azure/apiops folder to read')
      .argument('<out-folder>', 'where to write the apimops layout (new or empty)')
      .option('--to <layout>', 'the layout to write: apimops (default), or apiops to go the other way', 'apimops')
      .action(async (from: string, to: string, flags: { to: string }) => {
        if (flags.to !== 'apimops' && flags.to !== 'apiops') throw new UserError('E_USAGE', `--to: "${flags.to}" is not apimops or apiops`);
        const src = resolve(io.cwd, from);
        const out = resolve(io.cwd, to);
        if (!existsSync(src)) throw new UserError('E_IO', `folder not found: ${from}`);
        if (existsSync(out) && readdirSync(out).length > 0) {
          throw new UserError('E_IO', `output folder is not empty: ${to}`, { hint: 'choose a new folder; convert never overwrites files' });
        }
        const read = await loadArtifacts(folderSource(src, from), { layout: flags.to === 'apiops' ? 'apimops' : 'apiops' });
        printWarnings(io, read.diagnostics);
        const result = await writeArtifacts(read.state, out, { layout: flags.to === 'apiops' ? 'apiops' : 'apimops' });
        // APIOps override and filter files work unchanged: carry the ones that sit in the folder along.
        const carried = readdirSync(src).filter((n) => /^configuration\.[^/]+\.ya?ml$/.test(n)).sort();
        for (const n of carried) copyFileSync(join(src, n), join(out, n));
        let count = 0;
        for (const kind of Object.keys(read.state) as (keyof typeof read.state)[]) count += read.state[kind].size;
        io.stderr(`converted ${count} resources from ${from} into ${to} (${result.written} files${carried.length ? `; copied ${carried.join(', ')}` : ''})\n`);
        setExit(EXIT_OK);
      });
  },
};

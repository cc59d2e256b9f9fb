#!/usr/bin/env node
// `npm run bench -- <name> [args…]` runs bench/<name>.mjs (or .ts through tsx). Each benchmark compares
// against a baseline in the same run and prints ratios; see the header comment of each file.
import { existsSync, readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const [name, ...args] = process.argv.slice(2);
const available = readdirSync(here)
  .filter((f) => /\.(mjs|ts)$/.test(f) && f !== 'run.mjs' && !f.startsWith('_'))
  .map((f) => f.replace(/\.(mjs|ts)$/, ''));
if (!name || !available.includes(name)) {
  process.stderr.write(`usage: npm run bench -- <name>\navailable: ${available.sort().join(', ') || '(none)'}\n`);
  process.exit(2);
}
const mjs = join(here, `${name}.mjs`);
const cmd = existsSync(mjs) ? [mjs] : ['--import', 'tsx', join(here, `${name}.ts`)];
const r = spawnSync(process.execPath, [...cmd, ...args], { stdio: 'inherit' });
process.exit(r.status ?? 1);

#!/usr/bin/env node
// Thin launcher: the CLI lives in dist/ (built by `npm run build`).
import('../dist/cli/main.js').then((m) => m.run(process.argv)).catch((err) => {
  process.stderr.write(`apimops: could not start: ${err && err.message ? err.message : err}\n` +
    'hint: run `npm run build` first\n');
  process.exitCode = 2;
});

import type { CommandModule } from '../command.js';
import { command as extract } from './extract.js';
import { command as diff } from './diff.js';
import { command as publish } from './publish.js';
import { command as lint } from './lint.js';
import { command as serve } from './serve.js';
import { command as token } from './token.js';
import { command as test } from './test.js';
import { command as render } from './render.js';
import { command as convert } from './convert.js';
import { command as init } from './init.js';

/** Every command of CLI.md, in the order `apimops --help` lists them. */
export const COMMANDS: readonly CommandModule[] = [
  extract,
  diff,
  publish,
  lint,
  serve,
  token,
  test,
  render,
  convert,
  init,
];

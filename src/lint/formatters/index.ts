import { github } from './github.js';
import { json } from './json.js';
import { junit } from './junit.js';
import { sarif } from './sarif.js';
import { stylish } from './stylish.js';
import type { Formatter } from './types.js';

export type { FormatInput, Formatter } from './types.js';

/** Every output format of `apimops lint --format`. Adding one: a file here and one line below. */
export const FORMATTERS = { stylish, json, sarif, junit, github } satisfies Record<string, Formatter>;
export type FormatName = keyof typeof FORMATTERS;

export function isFormatName(s: string): s is FormatName {
  return Object.hasOwn(FORMATTERS, s);
}

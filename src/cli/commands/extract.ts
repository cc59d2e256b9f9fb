import { notBuilt } from './not-built.js';

export const command = notBuilt(
  'extract',
  'Extract a live APIM instance into an artifact folder',
  '[--env <name> | --subscription <id> --resource-group <rg> --service <name>] [--out <folder>] [--filter <file>] [--workspace <name>] [--parallelism <n>] [--endpoint <arm-url>]',
  `Example:
  apimops extract --env dev --out artifacts`,
);

import { notBuilt } from './not-built.js';

export const command = notBuilt(
  'convert',
  'Rewrite an Azure/apiops v7 folder into the apimops layout',
  '<apiops-folder> <out-folder>',
  `Example:
  apimops convert apimartifacts artifacts`,
);

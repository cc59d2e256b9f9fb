import { notBuilt } from './not-built.js';

export const command = notBuilt(
  'token',
  'Mint a JWT from the local identity provider',
  '[--sub <subject>] [--aud <audience>] [--iss <issuer>] [--claim <name>=<value>]... [--role <role>]... [--expires-in <seconds>]',
  `Example:
  apimops token --role Payments.Write --aud api://payments`,
);

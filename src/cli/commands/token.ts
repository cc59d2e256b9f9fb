import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { CommandModule } from '../command.js';
import { EXIT_OK } from '../../shared/exit-codes.js';
import { UserError } from '../../shared/errors.js';

interface TokenFlags {
  sub?: string;
  aud?: string;
  iss?: string;
  claim: string[];
  role: string[];
  expiresIn?: string;
  output?: 'text' | 'json';
  config?: string;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/**
 * `apimops token`: a JWT from the local identity provider (CLI.md). The token is signed with the project's
 * key under `.apimops/`, which `serve` publishes for `login.microsoftonline.com`-style `openid-config` URLs,
 * so the folder's `validate-jwt` policies accept it. Issuer and audience default to the ones those policies
 * expect when the folder names exactly one of each.
 */
export const command: CommandModule = {
  examples: `Examples:
  apimops token --role Payments.Write --aud api://payments
  curl -H "Authorization: Bearer $(apimops token --role Payments.Write)" http://127.0.0.1:8080/payments/…`,
  define(cmd, io, setExit) {
    cmd
      .usage('[--sub <subject>] [--aud <audience>] [--iss <issuer>] [--claim <name>=<value>]... [--role <role>]... [--expires-in <seconds>]')
      .option('--sub <subject>', 'the sub claim', undefined)
      .option('--aud <audience>', 'the aud claim (default: the audience the folder\'s validate-jwt policies accept)')
      .option('--iss <issuer>', 'the iss claim (default: the issuer the folder\'s validate-jwt policies accept)')
      .option('--claim <name=value>', 'an extra claim; repeat a name for an array', collect, [])
      .option('--role <role>', 'an app role (roles claim); repeatable', collect, [])
      .option('--expires-in <seconds>', 'lifetime in seconds', '3600')
      .option('--output <format>', 'text (the token alone) or json (token and claims)', 'text')
      .action(async (flags: TokenFlags) => {
        const expiresIn = Number(flags.expiresIn ?? '3600');
        if (!Number.isInteger(expiresIn) || expiresIn <= 0) {
          throw new UserError('E_USAGE', `--expires-in: "${flags.expiresIn}" is not a positive whole number of seconds`);
        }
        const claims = flags.claim.map((c): [string, string] => {
          const eq = c.indexOf('=');
          if (eq <= 0) throw new UserError('E_USAGE', `--claim: "${c}" is not <name>=<value>`);
          return [c.slice(0, eq), c.slice(eq + 1)];
        });
        // The identity provider (jose, keys) is loaded only when a token is made.
        const { findProjectRoot, jwtExpectations, LocalIdentityProvider } = await import('../../gateway/identity-provider.js');
        const root = findProjectRoot(io.cwd);
        const expected = jwtExpectations(artifactsFolder(root));
        const pick = (given: string | undefined, found: string[], what: string): string | undefined => {
          if (given !== undefined) return given;
          if (found.length === 1) return found[0];
          if (found.length > 1) io.stderr(`apimops token: the folder accepts several ${what}s (${found.join(', ')}); using the local default, pass --${what === 'issuer' ? 'iss' : 'aud'} to choose\n`);
          return undefined;
        };
        const idp = await LocalIdentityProvider.load(root);
        const token = await idp.mint({
          sub: flags.sub,
          aud: pick(flags.aud, expected.audiences, 'audience'),
          iss: pick(flags.iss, expected.issuers, 'issuer'),
          claims,
          roles: flags.role,
          expiresIn,
        });
        if (flags.output === 'json') {
          const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as unknown;
          io.stdout(JSON.stringify({ token, claims: payload }, null, 2) + '\n');
        } else {
          io.stdout(token + '\n');
        }
        setExit(EXIT_OK);
      });
  },
};

/** The artifact folder named by `apimops.yaml` (`artifacts:`), else the project root itself. */
function artifactsFolder(root: string): string {
  const config = join(root, 'apimops.yaml');
  if (!existsSync(config)) return root;
  try {
    const doc = parseYaml(readFileSync(config, 'utf8')) as { artifacts?: unknown } | null;
    return typeof doc?.artifacts === 'string' ? resolve(root, doc.artifacts) : root;
  } catch {
    return root;
  }
}

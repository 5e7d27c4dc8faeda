import { Command } from 'commander';
import { loadConfig } from '../shared/config';
import { mintDevToken } from './devToken';
import { parseDurationSeconds } from './duration';

const collect = (value: string, previous: string[]) => [...previous, value];

/**
 * `npm run --silent token -- --upn alice@contoso.com --role "Authentication Policy Administrator"`:
 * prints a dev admin token signed by the local key under DATA_DIR (host running or not).
 */
export function tokenCommand(): Command {
  return new Command('token')
    .description('Print a local dev access token (JWT) for the admin API')
    .option('--upn <userPrincipalName>', 'the signed-in user (omit with --permission for an app-only token)')
    .option('--role <name>', 'a directory role name or template id, repeatable (goes to wids)', collect, [])
    .option('--permission <name>', 'an application permission, repeatable (goes to roles)', collect, [])
    .option('--expires-in <duration>', 'lifetime: seconds or 30m, 1h, 1d', '1h')
    .action(async (options: { upn?: string; role: string[]; permission: string[]; expiresIn: string }) => {
      const token = await mintDevToken(loadConfig(), {
        userPrincipalName: options.upn,
        roles: options.role,
        permissions: options.permission,
        expiresInSeconds: parseDurationSeconds(options.expiresIn),
      });
      process.stdout.write(`${token}\n`);
    });
}

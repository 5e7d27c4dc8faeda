import { Command } from 'commander';
import { tokenCommand } from './token.command';
import { provisionCommand } from './provision/provision.command';

/** The admin CLI: `npm run cli -- <command>` (and `npm run token`). */
export function buildCli(): Command {
  return new Command('passkeys')
    .description('Passkey (FIDO2) service admin CLI')
    .addCommand(tokenCommand())
    .addCommand(provisionCommand());
}

if (require.main === module) {
  buildCli()
    .parseAsync(process.argv)
    .catch((e: unknown) => {
      process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    });
}

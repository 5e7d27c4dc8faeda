import { Command, Option } from 'commander';
import { FatalError } from './errors';
import {
  AUTHENTICATOR_KINDS,
  DEFAULT_SERVER,
  DEFAULT_SOFT_AAGUID,
  parseProvisionOptions,
  SOFT_ATTESTATIONS,
  type ProvisionOptions,
  type RawProvisionOptions,
} from './options';
import { defaultProvisionDeps, runProvision } from './run';

export type ProvisionRunner = (options: ProvisionOptions) => Promise<void>;

/**
 * `npm run cli -- provision --job <id> | --user <upn> [--authenticator soft|fido2-cred] ...`:
 * the provisioning station. Exit code 0 when the run finished (refusals included), 1 on a fatal error.
 */
export function provisionCommand(
  run: ProvisionRunner = (options) => runProvision(options, defaultProvisionDeps()),
  env: NodeJS.ProcessEnv = process.env,
): Command {
  const command = new Command('provision')
    .description('Provisioning station: create passkeys on security keys for the users of a bulk job, or for one user')
    .option('--job <id>', 'pull users from this bulk provisioning job')
    .option('--user <upn>', 'provision one user through Graph (no job)')
    .addOption(
      new Option('--authenticator <kind>', 'how credentials are made')
        .choices([...AUTHENTICATOR_KINDS])
        .default('soft'),
    )
    .option('--server <url>', `the passkey service (default: http://localhost:$PORT, else ${DEFAULT_SERVER})`)
    .option('--token <jwt>', 'bearer token (default: TOKEN, else a local dev token for admin@contoso.com)')
    .option('--origin <origin>', 'origin written into clientDataJSON (default: the --server origin)')
    .option('--device <path>', 'fido2-cred: the security key, e.g. /dev/hidraw0 (see `fido2-token -L`)')
    .option('--no-key-prompt', "fido2-cred: do not wait for Enter before each user's key")
    .option('--concurrency <n>', 'users in flight at once (default: 8 for soft, 1 for fido2-cred)')
    .option('--aaguid <guid>', `soft: the authenticator model (default ${DEFAULT_SOFT_AAGUID})`)
    .addOption(
      new Option('--attestation <format>', 'soft: attestation statement (default none)').choices([
        ...SOFT_ATTESTATIONS,
      ]),
    )
    .option(
      '--display-name <name>',
      "passkey name; {displayName} and {userPrincipalName} are replaced (default: the job's template, or a name per authenticator)",
    )
    .option('--challenge-timeout <minutes>', '--user/--csv: challengeTimeoutInMinutes, 5 to 43200 (default 10)')
    .option('--csv <file>', 'provision the users of a CSV (userPrincipalName,displayName), resumable')
    .option('--state <file>', '--csv: the state file a rerun resumes from (default <csv>.state.jsonl)')
    .option('--outcomes <file>', '--csv: the CSV of outcomes written at the end (default <csv>.outcomes.csv)')
    .option('--graph <url>', "a tenant's Microsoft Graph, e.g. https://graph.microsoft.com (through the Graph SDK)")
    .option('--tenant <id>', '--graph: the tenant id or domain')
    .option(
      '--client-id <id>',
      '--graph: the app registration; GRAPH_CLIENT_SECRET set = client credentials, else device-code sign-in',
    )
    .action(async (raw: RawProvisionOptions) => {
      let options: ProvisionOptions;
      try {
        options = parseProvisionOptions(raw, env);
      } catch (e) {
        if (e instanceof FatalError) command.error(`error: ${e.message}`, { code: 'provision.usage', exitCode: 1 });
        throw e;
      }
      await run(options);
    });
  return command;
}

/** `provision` argument parsing and validation, through commander as `npm run cli -- provision ...` does. */
import { CommanderError } from 'commander';
import { buildCli } from '../../../cli';
import { provisionCommand } from '../../../cli/provision/provision.command';
import { DEFAULT_SOFT_AAGUID, parseProvisionOptions, type ProvisionOptions } from '../../../cli/provision/options';

async function parse(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ options?: ProvisionOptions; error?: string }> {
  let options: ProvisionOptions | undefined;
  let stderr = '';
  const command = provisionCommand(async (o) => {
    options = o;
  }, env)
    .exitOverride()
    .configureOutput({ writeErr: (t) => (stderr += t), writeOut: () => undefined });
  try {
    await command.parseAsync(args, { from: 'user' });
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    expect(e.exitCode).toBe(1);
    return { error: stderr.trim() };
  }
  return { options };
}

test('is registered on the admin CLI', () => {
  expect(buildCli().commands.map((c) => c.name())).toContain('provision');
});

test('--job with the defaults: soft authenticator, local server, its origin, 8 at once, no token', async () => {
  expect(await parse(['--job', 'job-1'])).toEqual({
    options: {
      target: { mode: 'job', jobId: 'job-1' },
      authenticator: { kind: 'soft', aaguid: DEFAULT_SOFT_AAGUID, attestation: 'none' },
      server: 'http://localhost:7071',
      origin: 'http://localhost:7071',
      concurrency: 8,
      token: undefined,
    },
  });
});

test('without --server the station follows PORT, as npm start does (a tour run with PORT=7399 reaches its host)', async () => {
  const { options } = await parse(['--job', 'job-1'], { PORT: '7399' });
  expect(options).toMatchObject({ server: 'http://localhost:7399', origin: 'http://localhost:7399' });
  const explicit = await parse(['--job', 'job-1', '--server', 'http://localhost:8080'], { PORT: '7399' });
  expect(explicit.options).toMatchObject({ server: 'http://localhost:8080' });
});

test('--user with every soft option', async () => {
  const { options } = await parse([
    '--user',
    'alice@contoso.com',
    '--server',
    'https://passkeys.contoso.com/',
    '--origin',
    'https://login.contoso.com/signin',
    '--aaguid',
    '0DDBA11A-0000-4000-8000-0000000000FF',
    '--attestation',
    'packed-self',
    '--concurrency',
    '3',
    '--display-name',
    '{displayName} key',
    '--challenge-timeout',
    '60',
    '--token',
    'abc',
  ]);
  expect(options).toEqual({
    target: { mode: 'user', userPrincipalName: 'alice@contoso.com', challengeTimeoutInMinutes: 60 },
    authenticator: { kind: 'soft', aaguid: '0ddba11a-0000-4000-8000-0000000000ff', attestation: 'packed-self' },
    server: 'https://passkeys.contoso.com',
    origin: 'https://login.contoso.com',
    concurrency: 3,
    token: 'abc',
    displayName: '{displayName} key',
  });
});

test('the token comes from --token, else TOKEN', async () => {
  expect((await parse(['--job', 'j'], { TOKEN: 'from-env' })).options?.token).toBe('from-env');
  expect((await parse(['--job', 'j', '--token', 'from-flag'], { TOKEN: 'from-env' })).options?.token).toBe('from-flag');
});

test('fido2-cred: needs --device, one user at a time by default, asks for each key', async () => {
  const { options } = await parse(['--job', 'j', '--authenticator', 'fido2-cred', '--device', '/dev/hidraw3']);
  expect(options).toMatchObject({
    authenticator: { kind: 'fido2-cred', device: '/dev/hidraw3', keyPrompt: true },
    concurrency: 1,
  });
  expect(
    (await parse(['--job', 'j', '--authenticator', 'fido2-cred', '--device', '/dev/hidraw3', '--no-key-prompt']))
      .options?.authenticator,
  ).toEqual({
    kind: 'fido2-cred',
    device: '/dev/hidraw3',
    keyPrompt: false,
  });
});

test.each([
  [[], 'Missing --job <id> (provision the users of a bulk job) or --user <upn> (provision one user).'],
  [['--job', 'j', '--user', 'a@b.c'], 'Give either --job <id> or --user <upn>, not both.'],
  [['--user', 'alice'], "Invalid --user 'alice': expected a user principal name such as alice@contoso.com."],
  [['--job', 'j', '--authenticator', 'fido2-cred'], '--authenticator fido2-cred needs --device <path>'],
  [
    ['--job', 'j', '--authenticator', 'fido2-cred', '--device', 'd', '--aaguid', DEFAULT_SOFT_AAGUID],
    '--aaguid applies only to --authenticator soft.',
  ],
  [['--job', 'j', '--device', '/dev/hidraw0'], '--device applies only to --authenticator fido2-cred.'],
  [['--job', 'j', '--aaguid', 'not-a-guid'], "Invalid --aaguid 'not-a-guid'"],
  [['--job', 'j', '--concurrency', '0'], "Invalid --concurrency '0': expected a whole number from 1 to 64."],
  [['--job', 'j', '--concurrency', 'lots'], "Invalid --concurrency 'lots'"],
  [['--job', 'j', '--server', 'ftp://x'], "Invalid --server 'ftp://x': expected an http or https URL"],
  [['--job', 'j', '--server', 'localhost:7071'], "Invalid --server 'localhost:7071'"],
  [['--job', 'j', '--origin', 'not a url'], "Invalid --origin 'not a url'"],
  [['--job', 'j', '--challenge-timeout', '10'], '--challenge-timeout applies only to --user'],
  [
    ['--user', 'a@b.c', '--challenge-timeout', '4'],
    "Invalid --challenge-timeout '4': expected a whole number from 5 to 43200.",
  ],
  [['--job', 'j', '--display-name', '  '], 'Invalid --display-name: expected a non-empty name.'],
  [
    ['--job', 'j', '--authenticator', 'yubikey'],
    "argument 'yubikey' is invalid. Allowed choices are soft, fido2-cred.",
  ],
  [
    ['--job', 'j', '--attestation', 'packed-x5c'],
    "argument 'packed-x5c' is invalid. Allowed choices are none, packed-self.",
  ],
])('%j is refused with exit code 1: %s', async (args, message) => {
  const result = await parse(args);
  expect(result.options).toBeUndefined();
  expect(result.error).toContain(message);
});

test('parseProvisionOptions works without commander (defaults for an omitted --authenticator)', () => {
  expect(
    parseProvisionOptions({
      user: 'bob@contoso.com',
      authenticator: 'fido2-cred',
      device: '/dev/hidraw0',
      concurrency: '2',
    }),
  ).toMatchObject({
    target: { mode: 'user', userPrincipalName: 'bob@contoso.com', challengeTimeoutInMinutes: 10 },
    authenticator: { kind: 'fido2-cred', device: '/dev/hidraw0', keyPrompt: true },
    concurrency: 2,
  });
});

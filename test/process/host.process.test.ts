import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, HostProcess, ROOT, runTokenCli, startHostProcess } from '../support/processes';

const POLICY = '/beta/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/fido2';

/** Sends one raw HTTP/1.1 request and resolves with the status line's code (or the socket error). */
function rawStatus(host: string, port: number, request: string): Promise<number | string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let text = '';
    socket.on('data', (d) => (text += d));
    socket.on('close', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0)));
    socket.on('error', (e) => resolve((e as NodeJS.ErrnoException).code ?? 'error'));
    socket.write(request);
  });
}

const externalIPv4 = () =>
  Object.values(networkInterfaces())
    .flat()
    .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;

describe('npm start (the built local host) and npm run token', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'passkeys-process-'));
  });
  const hosts: HostProcess[] = [];
  afterAll(async () => {
    for (const host of hosts) if (host.child.exitCode === null) await host.stop('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('mints tokens before the host ever ran, keeps policy and directory across a restart, and shuts down cleanly', async () => {
    const cli = runTokenCli(
      ['--upn', 'admin@contoso.com', '--role', 'Authentication Policy Administrator', '--role', 'Global Administrator'],
      { DATA_DIR: dataDir },
    );
    expect(cli.stderr).toBe('');
    expect(cli.status).toBe(0);
    const token = cli.stdout.trim();
    expect(token.split('.')).toHaveLength(3);
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
    expect(claims.upn).toBe('admin@contoso.com');
    expect(claims.wids).toEqual(['0526716b-113d-4c15-b2c8-68e3c22b9f80', '62e90394-69f5-4237-9190-012177145e10']);
    expect(claims.exp - claims.iat).toBe(3600);

    const first = await startHostProcess({ DATA_DIR: dataDir });
    hosts.push(first);
    const auth = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
    const patch = await fetch(`${first.url}${POLICY}`, {
      method: 'PATCH',
      headers: auth,
      body: JSON.stringify({
        '@odata.type': '#microsoft.graph.fido2AuthenticationMethodConfiguration',
        state: 'enabled',
      }),
    });
    expect(patch.status).toBe(204);
    const user = await fetch(`${first.url}/v1.0/users`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ userPrincipalName: 'erin@contoso.com', displayName: 'Erin' }),
    });
    expect(user.status).toBe(201);

    // A token minted while the host runs works against it.
    const appOnly = runTokenCli(['--permission', 'Policy.Read.All', '--expires-in', '10m'], { DATA_DIR: dataDir });
    expect(appOnly.status).toBe(0);
    const appClaims = JSON.parse(Buffer.from(appOnly.stdout.trim().split('.')[1], 'base64url').toString());
    expect(appClaims).toMatchObject({ roles: ['Policy.Read.All'], idtyp: 'app' });
    expect(appClaims.exp - appClaims.iat).toBe(600);
    expect(
      (await fetch(`${first.url}${POLICY}`, { headers: { Authorization: `Bearer ${appOnly.stdout.trim()}` } })).status,
    ).toBe(200);

    expect(await first.stop('SIGTERM')).toBe(0);

    const second = await startHostProcess({ DATA_DIR: dataDir });
    hosts.push(second);
    try {
      const policy = (await (await fetch(`${second.url}${POLICY}`, { headers: auth })).json()) as { state: string };
      expect(policy.state).toBe('enabled');
      expect((await fetch(`${second.url}/v1.0/users/erin@contoso.com`, { headers: auth })).status).toBe(200);
    } finally {
      expect(await second.stop('SIGINT')).toBe(0);
    }
  });

  it('attack: a request with Host "a b" (which ended npm start) gets 400 and the built host keeps serving', async () => {
    const host = await startHostProcess({ DATA_DIR: dataDir });
    hosts.push(host);
    const port = Number(new URL(host.url).port);
    expect(await rawStatus('127.0.0.1', port, 'GET /health HTTP/1.1\r\nHost: a b\r\nConnection: close\r\n\r\n')).toBe(
      400,
    );
    expect(await rawStatus('127.0.0.1', port, 'NOT HTTP AT ALL\r\n\r\n')).toBe(400);
    await new Promise((r) => setTimeout(r, 200));
    expect(host.child.exitCode).toBeNull();
    expect((await fetch(`${host.url}/health`)).status).toBe(200);
    expect(host.output()).toMatch(/\(addresses: 127\.0\.0\.1(, ::1)?;/);
    const external = externalIPv4();
    // Loopback only by default: the machine's network address is refused.
    if (external)
      expect(await rawStatus(external, port, 'GET /health HTTP/1.1\r\nHost: x\r\n\r\n')).toBe('ECONNREFUSED');
    expect(await host.stop('SIGTERM')).toBe(0);
  });

  it('HOST=0.0.0.0 exposes the host on the network address (an explicit choice)', async () => {
    const host = await startHostProcess({ DATA_DIR: dataDir, HOST: '0.0.0.0' });
    hosts.push(host);
    const port = Number(new URL(host.url).port);
    // With HTTP workers (WORKERS), the first one may answer before the primary logs that all listen.
    for (let i = 0; i < 100 && !host.output().includes('(addresses: '); i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(host.output()).toContain('(addresses: 0.0.0.0;');
    const external = externalIPv4();
    // On a machine with a network interface, reach it there too.
    if (external)
      expect(
        await rawStatus(
          external,
          port,
          `GET /health HTTP/1.1\r\nHost: ${external}:${port}\r\nConnection: close\r\n\r\n`,
        ),
      ).toBe(200);
    expect(await host.stop('SIGTERM')).toBe(0);
  });

  it('a stray rejected promise and a throwing timer are logged, and the host keeps serving', async () => {
    // Preloaded into the host process: both fire once the service answers.
    const preload = join(dataDir, 'misbehave.js');
    writeFileSync(
      preload,
      [
        'const poll = setInterval(() => fetch(`http://127.0.0.1:${process.env.PORT}/health`).then((r) => {',
        '  if (!r.ok) return;',
        '  clearInterval(poll);',
        "  Promise.reject(new Error('stray rejection'));",
        "  setTimeout(() => { throw new Error('stray throw'); }, 50);",
        '}, () => undefined), 100);',
      ].join('\n'),
    );
    const port = await freePort();
    const child = spawn(process.execPath, ['--require', preload, join(ROOT, 'dist', 'local', 'main.js')], {
      cwd: ROOT,
      env: { ...process.env, PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    try {
      for (let i = 0; i < 300 && !(output.includes('stray rejection') && output.includes('stray throw')); i++)
        await new Promise((r) => setTimeout(r, 100));
      expect(output).toContain('unhandled promise rejection (the service keeps running)');
      expect(output).toContain('uncaught exception (the service keeps running)');
      expect(child.exitCode).toBeNull();
      expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
    } finally {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
  });

  it('explains a bad role or an unknown user on stderr with a non-zero exit', () => {
    const badRole = runTokenCli(['--upn', 'alice@contoso.com', '--role', 'Supreme Leader'], { DATA_DIR: dataDir });
    expect(badRole.status).not.toBe(0);
    expect(badRole.stdout).toBe('');
    expect(badRole.stderr).toContain('Supreme Leader');
    const unknown = runTokenCli(['--upn', 'nobody@contoso.com'], { DATA_DIR: dataDir });
    expect(unknown.status).not.toBe(0);
    expect(unknown.stderr).toContain('nobody@contoso.com');
  });
});

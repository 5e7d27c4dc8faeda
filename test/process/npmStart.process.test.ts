import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, ROOT } from '../support/processes';

jest.setTimeout(180_000);

/** True while something accepts connections on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function until(condition: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return condition();
}

describe('npm start stops with the npm process', () => {
  const started: ChildProcess[] = [];
  const dirs: string[] = [];
  afterAll(() => {
    // Each npm ran in its own process group: whatever is left of it goes, by that group's id.
    for (const child of started) {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  async function npmStart(): Promise<{ npm: ChildProcess; port: number; output: () => string }> {
    const port = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), 'passkeys-npmstart-'));
    dirs.push(dataDir);
    const npm = spawn('npm', ['start'], {
      cwd: ROOT,
      env: { ...process.env, PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    started.push(npm);
    let output = '';
    npm.stdout!.on('data', (d) => (output += d));
    npm.stderr!.on('data', (d) => (output += d));
    const up = await until(async () => {
      if (npm.exitCode !== null) throw new Error(`npm start exited early: ${output}`);
      return fetch(`http://127.0.0.1:${port}/health`).then(
        (r) => r.ok,
        () => false,
      );
    }, 120_000);
    if (!up) throw new Error(`npm start did not serve /health: ${output}`);
    return { npm, port, output: () => output };
  }

  it.each(['SIGTERM', 'SIGKILL'] as const)(
    'attack on availability: kill -%s <pid of npm start> frees the port (no orphaned server)',
    async (signal) => {
      const { npm, port, output } = await npmStart();
      expect((await fetch(`http://localhost:${port}/health`)).status).toBe(200);
      // Ready: it printed where to go (issue 12 §4), and that it seeded the demo tenant of an empty store.
      expect(await until(async () => output().includes('API description:'), 10_000)).toBe(true);
      expect(output()).toContain(`Front door:       http://localhost:${port}/`);
      expect(output()).toContain(`Demo sign-in:     http://localhost:${port}/web/`);
      expect(output()).toContain(`Admin console:    http://localhost:${port}/admin/`);
      // The console is served by the compiled host too (dist/local finds the repo's admin/ folder).
      expect((await fetch(`http://localhost:${port}/admin/`)).status).toBe(200);
      expect(output()).toMatch(/Demo tenant: +seeded at this start/);
      npm.kill(signal);
      const freed = await until(async () => !(await listening(port)), 8000);
      if (!freed) throw new Error(`port ${port} still held after ${signal} of npm: ${output()}`);
      expect(freed).toBe(true);
    },
  );
});

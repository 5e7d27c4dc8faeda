import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const script = join(__dirname, '..', '..', '..', 'scripts', 'start-func.js');

describe('npm run start:func', () => {
  const emptyDir = mkdtempSync(join(tmpdir(), 'passkeys-no-func-'));
  afterAll(() => rmSync(emptyDir, { recursive: true, force: true }));

  it('without Azure Functions Core Tools on PATH: a clear message, exit code 1, nothing started', () => {
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: emptyDir };
    delete env.FUNC_PATH;
    const run = spawnSync(process.execPath, [script], { env, encoding: 'utf8', timeout: 20_000 });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('Azure Functions Core Tools (`func`) were not found on PATH');
    expect(run.stderr).toContain('npm start');
    expect(run.stdout).toBe('');
  });

  it('a FUNC_PATH that does not exist is reported the same way', () => {
    const env = { ...process.env, FUNC_PATH: join(emptyDir, 'func') };
    const run = spawnSync(process.execPath, [script], { env, encoding: 'utf8', timeout: 20_000 });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('not found');
  });
});

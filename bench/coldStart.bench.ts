import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../test/support/processes';

const ROOT = join(__dirname, '..', '..');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round1 = (n: number) => Math.round(n * 10) / 10;

/** Time to `require('dist/functions/index.js')` in a fresh node: what a cold Azure instance pays to load the app. */
export function measureEntryImport(runs = 5): { name: string; runs: number; medianMs: number; maxMs: number } {
  const script = `const t=process.hrtime.bigint();require(${JSON.stringify(join(ROOT, 'dist', 'functions', 'index.js'))});process.stdout.write('\\n'+Number(process.hrtime.bigint()-t)/1e6)`;
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const out = spawnSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
    times.push(Number(out.stdout.trim().split('\n').at(-1)));
  }
  return {
    name: 'import dist/functions/index.js (cold Azure instance)',
    runs,
    medianMs: round1(median(times)),
    maxMs: round1(Math.max(...times)),
  };
}

/**
 * Time from spawning the server `npm start` runs (`node dist/local/main.js`, a fresh DATA_DIR) to its
 * first `/health` 200, polled every 5 ms; the median of `runs`.
 */
export async function measureFirstHealth(
  runs = 3,
): Promise<{ name: string; runs: number; medianMs: number; maxMs: number }> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const dataDir = mkdtempSync(join(tmpdir(), 'passkeys-cold-'));
    const port = await freePort();
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, [join(ROOT, 'dist', 'local', 'main.js')], {
      cwd: ROOT,
      env: { ...process.env, PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    try {
      for (let attempt = 0; attempt < 6000; attempt++) {
        const ok = await fetch(`http://127.0.0.1:${port}/health`).then(
          (r) => r.ok,
          () => false,
        );
        if (ok) break;
        await new Promise((r) => setTimeout(r, 5));
      }
      times.push(Number(process.hrtime.bigint() - started) / 1e6);
    } finally {
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  return {
    name: 'npm start server: spawn to first /health 200',
    runs,
    medianMs: round1(median(times)),
    maxMs: round1(Math.max(...times)),
  };
}

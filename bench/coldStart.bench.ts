import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../test/support/processes';

const ROOT = join(__dirname, '..', '..');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round1 = (n: number) => Math.round(n * 10) / 10;

/** A figure of fresh-process timings: the median and the maximum of `runs`. */
interface ImportTiming {
  medianMs: number;
  maxMs: number;
}

/** Milliseconds a fresh `node -e` spends running `statement` (timed inside the process, so node's own start is excluded). */
function timeInFreshNode(statement: string): number {
  const script = `const t=process.hrtime.bigint();${statement};process.stdout.write('\\n'+Number(process.hrtime.bigint()-t)/1e6)`;
  const out = spawnSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
  return Number(out.stdout.trim().split('\n').at(-1));
}

const timing = (times: number[]): ImportTiming => ({
  medianMs: round1(median(times)),
  maxMs: round1(Math.max(...times)),
});

/**
 * Time to `require` the Azure entry in a fresh node: what a cold Azure instance pays to load the app.
 * The top-level figure is `dist/functions/index.js` (tsc's output, comparable with earlier runs);
 * `main` is the package's `main` (the bundle `npm run build` writes, run with its V8 code cache), what
 * Azure loads; `bundleWithoutCodeCache` the same bundle required directly. Beside them, in
 * the same run and interleaved so that load on the machine hits all alike: a bare `node -e 0` and
 * `require('zod')`, to judge the figures on a loaded machine.
 */
export function measureEntryImport(runs = 5): {
  name: string;
  runs: number;
  medianMs: number;
  maxMs: number;
  main: ImportTiming & { file: string };
  bundleWithoutCodeCache: ImportTiming;
  baselines: { bareNodeMs: ImportTiming; requireZodMs: ImportTiming };
} {
  const main = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { main: string }).main;
  const statements = {
    entry: `require(${JSON.stringify(join(ROOT, 'dist', 'functions', 'index.js'))})`,
    main: `require(${JSON.stringify(join(ROOT, main))})`,
    bundle: `require(${JSON.stringify(join(ROOT, 'dist', 'azure', 'functions.js'))})`,
    bare: '0',
    zod: "require('zod')",
  };
  const times: Record<keyof typeof statements, number[]> = { entry: [], main: [], bundle: [], bare: [], zod: [] };
  for (let i = 0; i < runs; i++)
    for (const key of Object.keys(statements) as Array<keyof typeof statements>)
      times[key].push(timeInFreshNode(statements[key]));
  return {
    name: 'import dist/functions/index.js (cold Azure instance)',
    runs,
    ...timing(times.entry),
    main: { file: main, ...timing(times.main) },
    bundleWithoutCodeCache: timing(times.bundle),
    baselines: { bareNodeMs: timing(times.bare), requireZodMs: timing(times.zod) },
  };
}

/**
 * Time from spawning the server `npm start` runs (`node dist/local/main.js`, a fresh DATA_DIR) to its
 * first `/health` 200, polled every 5 ms; the median of `runs`. `root` is the checkout to start (another
 * build, for an A/B in one run).
 */
export async function measureFirstHealth(
  runs = 3,
  root = ROOT,
): Promise<{ name: string; runs: number; medianMs: number; maxMs: number }> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const dataDir = mkdtempSync(join(tmpdir(), 'passkeys-cold-'));
    const port = await freePort();
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, [join(root, 'dist', 'local', 'main.js')], {
      cwd: root,
      // Azurite on free ports (as npm start runs it, but never colliding with another server on 10000/10001).
      env: {
        ...process.env,
        PORT: String(port),
        DATA_DIR: dataDir,
        LOG_LEVEL: 'warn',
        AZURITE_BLOB_PORT: '0',
        AZURITE_QUEUE_PORT: '0',
      },
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

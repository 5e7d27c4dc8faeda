import { ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../test/support/processes';

const ROOT = join(__dirname, '..', '..');

export interface BenchHost {
  url: string;
  child: ChildProcess;
  /** Peak resident memory of the host so far (VmHWM, summed over the primary and its HTTP workers), in MiB. */
  peakRssMiB(): number;
  /** HTTP worker processes serving (the host's children running its script); 1 when it serves alone. */
  workers: number;
  stop(): Promise<void>;
}

/** Node options of the host (e.g. `--cpu-prof`) and extra settings. */
export interface BenchHostOptions {
  nodeArgs?: string[];
  env?: Record<string, string>;
}

/** The built host (`node dist/local/main.js`) as a separate process, so its memory is its own. */
export async function startBenchHost(dataDir: string, options: BenchHostOptions = {}): Promise<BenchHost> {
  const port = await freePort();
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), join(ROOT, 'dist', 'local', 'main.js')], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...options.env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // The banner (stdout) comes once every HTTP worker listens; /health may answer from the first one before.
  let banner = '';
  child.stdout?.on('data', (d: Buffer) => {
    if (banner.length < 10_000) banner += d.toString();
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600 && !banner.includes('Ready.'); i++) await new Promise((r) => setTimeout(r, 50));
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`${url}/health`)).ok) break;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    url,
    child,
    workers: workerPids(child.pid).length || 1,
    peakRssMiB: () => {
      // Every process of the host: the primary and its HTTP workers.
      const pids = child.pid === undefined ? [] : [child.pid, ...workerPids(child.pid)];
      const kb = pids.reduce<number>((sum, pid) => {
        try {
          return sum + Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
        } catch {
          return sum;
        }
      }, 0);
      return Math.round((kb / 1024) * 10) / 10;
    },
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** The cluster workers of the host: its child processes that run the same script (Linux /proc). */
function workerPids(pid: number | undefined): number[] {
  if (pid === undefined) return [];
  try {
    const script = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      .split('\0')
      .find((a) => a.endsWith('main.js'));
    const children = readdirSync(`/proc/${pid}/task`).flatMap((task) =>
      readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(' ').filter(Boolean).map(Number),
    );
    return children.filter((child) => {
      try {
        return readFileSync(`/proc/${child}/cmdline`, 'utf8')
          .split('\0')
          .includes(script ?? '');
      } catch {
        return false;
      }
    });
  } catch {
    return [];
  }
}

import { ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../test/support/processes';

const ROOT = join(__dirname, '..', '..');

export interface BenchHost {
  url: string;
  child: ChildProcess;
  /** Peak resident memory of the host process so far (VmHWM), in MiB. */
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
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
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
    workers: workerCount(child.pid),
    peakRssMiB: () => {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
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
function workerCount(pid: number | undefined): number {
  if (pid === undefined) return 1;
  try {
    const script = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      .split('\0')
      .find((a) => a.endsWith('main.js'));
    const children = readdirSync(`/proc/${pid}/task`).flatMap((task) =>
      readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(' ').filter(Boolean),
    );
    const workers = children.filter((child) => {
      try {
        return readFileSync(`/proc/${child}/cmdline`, 'utf8')
          .split('\0')
          .includes(script ?? '');
      } catch {
        return false;
      }
    });
    return Math.max(1, workers.length);
  } catch {
    return 1;
  }
}

#!/usr/bin/env node
// `npm start`: build, then run the server as this process's child and stop with it. Signals that
// reach npm (SIGINT, SIGTERM, SIGHUP) are forwarded, this script exits with the server's status,
// and should this script's own parent vanish (npm killed with SIGKILL) it stops the server too, so
// the port is never left held by an orphan.
const { execFileSync, spawn } = require('node:child_process');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { setInterval } = require('node:timers');

const root = join(__dirname, '..');
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'];
const PARENT_CHECK_MS = 1000;

let current;
let stopping;
const running = () => current && current.exitCode === null && current.signalCode === null;
for (const signal of SIGNALS) {
  process.on(signal, () => {
    stopping = signal;
    if (running()) current.kill(signal);
    else process.exit(128 + (signal === 'SIGHUP' ? 1 : signal === 'SIGINT' ? 2 : 15));
  });
}
// npm runs this script through a shell (`sh -c`), and that shell survives npm's SIGKILL (it is
// merely re-parented). So watch two generations: our parent, and our parent's parent.
const parent = process.ppid;
const grandparent = parentOf(parent);
setInterval(() => {
  if (stopping) return;
  if (process.ppid === parent && (grandparent === undefined || parentOf(parent) === grandparent)) return;
  stopping = 'SIGTERM';
  if (running()) current.kill('SIGTERM');
  else process.exit(1);
}, PARENT_CHECK_MS).unref();

/** The parent pid of `pid` (Linux /proc, else `ps`); undefined when the platform cannot tell. */
function parentOf(pid) {
  try {
    // Field 4 of /proc/<pid>/stat, after the parenthesised command name (which may hold spaces).
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    if (process.platform === 'win32') return undefined;
    try {
      const out = execFileSync('ps', ['-o', 'ppid=', '-p', String(pid)], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      const n = Number(out.trim());
      return Number.isInteger(n) && n > 0 ? n : undefined;
    } catch {
      return undefined;
    }
  }
}

/** Runs a child to its end; resolves with its exit code (128 + n when a signal ended it). */
function run(args) {
  return new Promise((resolve) => {
    current = spawn(process.execPath, args, { cwd: root, stdio: 'inherit' });
    current.on('error', (error) => {
      process.stderr.write(`Could not start ${args[0]}: ${error.message}\n`);
      resolve(1);
    });
    current.on('exit', (code, signal) =>
      resolve(code ?? 128 + (signal === 'SIGKILL' ? 9 : signal === 'SIGINT' ? 2 : signal === 'SIGHUP' ? 1 : 15)),
    );
  });
}

(async () => {
  const built = await run([join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json']);
  if (built !== 0 || stopping) process.exit(built || 1);
  process.exit(await run([join(root, 'dist', 'local', 'main.js')]));
})();

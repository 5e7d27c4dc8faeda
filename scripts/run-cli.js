#!/usr/bin/env node
// Runs the compiled CLI, building first when dist/ is missing or older than a source file (a fresh
// clone, or a pull since the last `npm start`). Build output goes to stderr so stdout stays
// machine-readable (`npm run --silent token` prints only the JWT).
const { existsSync, readdirSync, statSync, utimesSync } = require('node:fs');
const { join } = require('node:path');
const { spawnSync } = require('node:child_process');

const root = join(__dirname, '..');
const entry = join(root, 'dist', 'cli', 'index.js');
const buildInfo = join(root, 'dist', '.tsbuildinfo');
const SOURCES = ['functions', 'orchestrations', 'shared', 'local', 'cli'];

function newestSourceMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceMtime(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

const stale = () => {
  if (!existsSync(entry) || !existsSync(buildInfo)) return true;
  const built = statSync(buildInfo).mtimeMs;
  return SOURCES.some((dir) => existsSync(join(root, dir)) && newestSourceMtime(join(root, dir)) > built);
};

if (stale()) {
  const tsc = require.resolve('typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], {
    cwd: root,
    stdio: ['ignore', 2, 2],
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
  // tsc leaves the build info untouched when nothing changed; mark this build as current.
  const now = new Date();
  utimesSync(buildInfo, now, now);
}
process.chdir(root);
require(entry)
  .buildCli()
  .parseAsync(process.argv)
  .catch((e) => {
    process.stderr.write(`${e && e.message ? e.message : String(e)}\n`);
    process.exit(1);
  });

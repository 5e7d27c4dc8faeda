#!/usr/bin/env node
// Runs the compiled CLI, building it first when dist/ is missing (a fresh clone that has not run
// `npm start` yet). Build output goes to stderr so stdout stays machine-readable.
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const { spawnSync } = require('node:child_process');

const root = join(__dirname, '..');
const entry = join(root, 'dist', 'cli', 'index.js');
if (!existsSync(entry)) {
  const tsc = require.resolve('typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { cwd: root, stdio: ['ignore', 2, 2] });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
process.chdir(root);
require(entry).buildCli().parseAsync(process.argv).catch((e) => {
  process.stderr.write(`${e && e.message ? e.message : String(e)}\n`);
  process.exit(1);
});

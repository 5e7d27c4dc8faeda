#!/usr/bin/env node
// `npm run start:func`: the second local mode. Where Azure Functions Core Tools (`func`) are on the
// PATH, build once, start Azurite's Blob and Queue services (the well-known development account,
// AzureWebJobsStorage=UseDevelopmentStorage=true) and run `func start` against that same build
// (dist/, the package.json `main`). Where `func` is missing, say so and exit 1: `npm start` (the
// embedded host) needs no Core Tools.
const { spawn, spawnSync } = require('node:child_process');
const { existsSync, mkdirSync } = require('node:fs');
const { delimiter, join } = require('node:path');

const root = join(__dirname, '..');

/** The `func` executable on PATH (FUNC_PATH overrides), or undefined. */
function findFunc() {
  if (process.env.FUNC_PATH) return existsSync(process.env.FUNC_PATH) ? process.env.FUNC_PATH : undefined;
  const names = process.platform === 'win32' ? ['func.cmd', 'func.exe', 'func'] : ['func'];
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean))
    for (const name of names) if (existsSync(join(dir, name))) return join(dir, name);
  return undefined;
}

const func = findFunc();
if (!func) {
  process.stderr.write(
    'Azure Functions Core Tools (`func`) were not found on PATH.\n' +
      'Install them (https://learn.microsoft.com/azure/azure-functions/functions-run-local, e.g.\n' +
      '`npm i -g azure-functions-core-tools@4`), or run the embedded host instead: `npm start`.\n',
  );
  process.exit(1);
}

// `npm run build`'s build: func loads the package.json `main`, the Azure bundle it writes (scripts/build.js).
const built = spawnSync(process.execPath, [join(root, 'scripts', 'build.js')], { cwd: root, stdio: 'inherit' });
if (built.status !== 0) process.exit(built.status || 1);

const dataDir = process.env.DATA_DIR ?? join(root, '.data'); // the embedded host's default (shared/config.ts)
const azuriteDir = join(dataDir, 'azurite');
mkdirSync(azuriteDir, { recursive: true });
const children = [];
const azurite =
  process.env.AZURITE === 'off'
    ? undefined
    : spawn(
        process.execPath,
        [
          join(root, 'node_modules', 'azurite', 'dist', 'src', 'azurite.js'),
          '--silent',
          '--location',
          azuriteDir,
          '--blobHost',
          '127.0.0.1',
          '--blobPort',
          process.env.AZURITE_BLOB_PORT ?? '10000',
          '--queueHost',
          '127.0.0.1',
          '--queuePort',
          process.env.AZURITE_QUEUE_PORT ?? '10001',
          '--tablePort',
          process.env.AZURITE_TABLE_PORT ?? '10002',
          '--skipApiVersionCheck',
        ],
        { cwd: root, stdio: 'inherit' },
      );
if (azurite) children.push(azurite);
const host = spawn(func, ['start'], {
  cwd: root,
  stdio: 'inherit',
  env: { AzureWebJobsStorage: 'UseDevelopmentStorage=true', ...process.env },
  shell: process.platform === 'win32',
});
children.push(host);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'])
  process.on(signal, () => {
    for (const child of children) if (child.exitCode === null) child.kill(signal);
  });
host.on('exit', (code) => {
  if (azurite && azurite.exitCode === null) azurite.kill('SIGTERM');
  process.exit(code ?? 1);
});

#!/usr/bin/env node
// `npm run build`: compile with tsc (dist/, what `npm start`, the CLI and the tests run), then bundle
// the Azure entry (dist/functions/index.js) into one file, dist/azure/functions.js, and write the
// package's `main`, dist/azure/index.js, which runs that bundle with a V8 code cache made here:
// what a cold Azure instance loads.
//
// Why (issue 10; figures in docs/benchmarks.md, cold start): much of the entry's import time is Node
// resolving, reading and compiling ~280 small modules (ours and zod's); one file of the same code
// imports 12-44% faster, and skipping its compilation with the code cache takes about a third more
// off when the cache is usable (scripts/build.azureEntry.js says when). Only our code and zod (which
// the schemas need at import) go in the bundle; every other package stays external, loaded from
// node_modules when first used, as in dist/ (most of them lazily: the SDKs, jose, SimpleWebAuthn,
// durable-functions). Not minified: stack traces keep their names and lines, and minifying measured
// no faster. test/process/azureBundle.process.test.ts checks that the main registers exactly what
// dist/functions/index.js registers. BUILD_CODE_CACHE=off builds without the cache.
const { execFileSync, spawnSync } = require('node:child_process');
const { copyFileSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');

/** Packages bundled with our code: needed when the entry is imported, small enough to inline. */
const BUNDLED_PACKAGES = ['zod', '@asteasolutions/zod-to-openapi'];

/** The esbuild options of the Azure bundle (exported, to try other options against them). */
function azureBundleOptions() {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const external = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies })
    .filter((name) => !BUNDLED_PACKAGES.includes(name))
    .flatMap((name) => [name, `${name}/*`]);
  return {
    entryPoints: [join(root, 'dist', 'functions', 'index.js')],
    outfile: join(root, 'dist', 'azure', 'functions.js'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // Provided by the Functions worker at run time (@azure/functions asks for it).
    external: [...external, '@azure/functions-core'],
    keepNames: true,
    // Non-ASCII characters in code escaped (\uXXXX): see asciiOnly below.
    charset: 'ascii',
    sourcemap: true,
    logLevel: 'warning',
  };
}

function build() {
  execFileSync(
    process.execPath,
    [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
  const options = azureBundleOptions();
  require('esbuild').buildSync(options);
  asciiOnly(options.outfile);
  writeAzureEntry();
}

/**
 * Makes the bundle pure ASCII, so that the entry reads it as latin1 (exact for ASCII) and V8 keeps it
 * a one-byte string: about a fifth faster to import than decoding UTF-8, because a single non-ASCII
 * character makes the whole 2 MB string two-byte. With charset 'ascii' esbuild escapes every non-ASCII
 * character of the code, so the ones left are in comments: each UTF-16 unit becomes '?' (columns, and
 * so the source map, stay as they are).
 */
function asciiOnly(file) {
  writeFileSync(file, readFileSync(file, 'utf8').replace(/[\u0080-\uffff]/g, '?'));
}

/**
 * The package main, dist/azure/index.js: the bundle run with a V8 code cache made here (see
 * scripts/build.azureEntry.js for when it is used). Making the cache runs the bundle's import once.
 */
function writeAzureEntry() {
  const entry = join(root, 'dist', 'azure', 'index.js');
  copyFileSync(join(__dirname, 'build.azureEntry.js'), entry);
  if (process.env.BUILD_CODE_CACHE === 'off') {
    // Without a cache the entry compiles the bundle as require would; a stale cache must not stay.
    for (const file of ['functions.js.v8cache', 'functions.js.v8cache.json'])
      rmSync(join(root, 'dist', 'azure', file), { force: true });
    return;
  }
  const made = spawnSync(process.execPath, [entry, '--write-code-cache'], { cwd: root, encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`making the code cache of the Azure bundle failed: ${made.stderr}`);
}

if (require.main === module) {
  try {
    build();
  } catch (error) {
    // tsc has printed its errors already; esbuild prints its own.
    if (!(error && error.status)) process.stderr.write(`${error && error.stack ? error.stack : String(error)}\n`);
    process.exit(1);
  }
}

module.exports = { azureBundleOptions, BUNDLED_PACKAGES };

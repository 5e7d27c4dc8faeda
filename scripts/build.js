#!/usr/bin/env node
// `npm run build`: compile with tsc (dist/, what `npm start`, the CLI and the tests run), then bundle
// the Azure entry (dist/functions/index.js) into one file, dist/azure/functions.js, the package's
// `main`: what a cold Azure instance loads.
//
// Why a bundle (issue 10): most of the entry's import time is Node resolving, reading and compiling
// ~280 small modules (ours and zod's); one file of the same code imports about a third faster. Only
// our code and zod (which the schemas need at import) go in; every other package stays external,
// loaded from node_modules when first used, as in dist/ (most of them lazily: the SDKs, jose,
// SimpleWebAuthn, durable-functions). Not minified: stack traces keep their names and lines, and
// minifying measured no faster. test/process/azureBundle.process.test.ts checks that the bundle
// registers exactly what dist/functions/index.js registers.
const { execFileSync } = require('node:child_process');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');

/** Packages bundled with our code: needed when the entry is imported, small enough to inline. */
const BUNDLED_PACKAGES = ['zod', '@asteasolutions/zod-to-openapi'];

/** The esbuild options of the Azure bundle (exported for the test and the benchmark). */
function azureBundleOptions() {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const external = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies })
    .filter((name) => !BUNDLED_PACKAGES.includes(name))
    .flatMap((name) => [name, `${name}/*`]);
  return {
    entryPoints: [join(root, 'dist', 'functions', 'index.js')],
    outfile: join(root, pkg.main),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // Provided by the Functions worker at run time (@azure/functions asks for it).
    external: [...external, '@azure/functions-core'],
    keepNames: true,
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
  require('esbuild').buildSync(azureBundleOptions());
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

'use strict';
// The package's `main` on Azure, copied to dist/azure/index.js by scripts/build.js: runs the bundle
// (dist/azure/functions.js) as a CommonJS module, with the V8 code cache the build made for it when
// this node is the one that made it.
//
// Why (issue 10): compiling the bundle is about a third of its import; with the cache V8 skips it
// (measured: 0.6-0.7x the import time of the plain bundle; docs/benchmarks.md, cold start). The cache is used only when
// node's version, V8's version and the CPU architecture are the build's and the bundle is the one
// it was made from (its SHA-256); V8 itself refuses a cache made under other flags. Otherwise the
// bundle compiles as a plain require would: nothing breaks, it is only not faster. So on Azure it
// helps when the app is built with the Function App's Node version. The cache lives beside the
// bundle, in the read-only package, never in a writable place (a writable code cache is code).
const { createHash } = require('node:crypto');
const { readFileSync } = require('node:fs');
const Module = require('node:module');
const { join } = require('node:path');
const vm = require('node:vm');

const BUNDLE = join(__dirname, 'functions.js');
const CACHE = join(__dirname, 'functions.js.v8cache');
const CACHE_INFO = join(__dirname, 'functions.js.v8cache.json');

/** Who may use a code cache: the build's node, V8 and architecture, for exactly this bundle. */
function cacheKey(bytes) {
  return {
    node: process.version,
    v8: process.versions.v8,
    arch: process.arch,
    bundleSha256: createHash('sha256').update(bytes).digest('hex'),
  };
}

/** The build's code cache, if it was made by this node for these bundle bytes. */
function usableCache(bytes) {
  let info;
  try {
    info = JSON.parse(readFileSync(CACHE_INFO, 'utf8'));
  } catch {
    return undefined; // no cache (built without one)
  }
  const key = cacheKey(bytes);
  if (Object.keys(key).some((k) => info[k] !== key[k])) return undefined;
  try {
    return readFileSync(CACHE);
  } catch {
    return undefined;
  }
}

/** Compiles the bundle (from the cache when `useCache` and usable) and runs it as the module `entry`, as require would. */
function runBundle(entry, useCache) {
  const bytes = readFileSync(BUNDLE);
  // The build makes the bundle pure ASCII (scripts/build.js asciiOnly): latin1 reads it exactly, and faster.
  const script = new vm.Script(Module.wrap(bytes.toString('latin1')), {
    filename: BUNDLE,
    cachedData: useCache ? usableCache(bytes) : undefined,
  });
  const requireFromBundle = Module.createRequire(BUNDLE);
  entry.filename = BUNDLE;
  entry.paths = requireFromBundle.resolve.paths('x') ?? [];
  const run = script.runInThisContext({ displayErrors: true });
  run.call(entry.exports, entry.exports, requireFromBundle, entry, BUNDLE, __dirname);
  entry.loaded = true;
  return { script, bytes };
}

if (require.main === module && process.argv[2] === '--write-code-cache') {
  // Build time (scripts/build.js): run the bundle once, so that the functions its import runs are
  // compiled too, then write the cache and who may use it.
  const { writeFileSync } = require('node:fs');
  const { script, bytes } = runBundle(new Module(BUNDLE, module), false);
  writeFileSync(CACHE, script.createCachedData());
  writeFileSync(CACHE_INFO, `${JSON.stringify(cacheKey(bytes), null, 2)}\n`);
} else if (process.sourceMapsEnabled) {
  // --enable-source-maps: Node maps stack traces only for what its own loader compiles (not vm.Script
  // in Node 20), so a plain require, without the cache, keeps the traces pointing at the TypeScript.
  module.exports = require(BUNDLE);
} else {
  const entry = new Module(BUNDLE, module);
  Module._cache[BUNDLE] = entry;
  runBundle(entry, true);
  module.exports = entry.exports;
}

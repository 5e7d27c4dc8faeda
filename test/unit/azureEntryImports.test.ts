import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** Relative modules a file loads when it is loaded: static `import`/`export ... from`, not `import type` nor `await import()`. */
function staticImports(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  const specifiers = [
    ...source.matchAll(/^(?:import|export)\s+(?!type\b)[^;]*?from\s+'([^']+)'/gm),
    ...source.matchAll(/^import\s+'([^']+)'/gm),
  ].map((m) => m[1]);
  return specifiers
    .filter((s) => s.startsWith('.'))
    .map((s) => resolve(dirname(file), s))
    .map((p) => [`${p}.ts`, join(p, 'index.ts')].find(existsSync))
    .filter((p): p is string => !!p);
}

/** Every module of the repository reached from `entry` by static imports. */
function loadedBy(entry: string): string[] {
  const seen = new Set<string>();
  const queue = [join(ROOT, entry)];
  while (queue.length) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    queue.push(...staticImports(file));
  }
  return [...seen].map((f) => relative(ROOT, f).split('\\').join('/')).sort();
}

describe('the Azure entry (functions/index.ts) loads no embedded adapter', () => {
  const loaded = loadedBy('functions/index.ts');

  it('reaches the registries and the composition root', () => {
    // The walk itself works: it finds what the entry must load.
    expect(loaded).toEqual(
      expect.arrayContaining([
        'functions/registry.ts',
        'orchestrations/registry.ts',
        'shared/app.ts',
        'shared/adapterSelection.ts',
      ]),
    );
  });

  it.each([['local/'], ['shared/adapters/localbus/'], ['shared/adapters/sqlite/']])(
    'loads nothing under %s',
    (folder) => {
      expect(loaded.filter((f) => f.startsWith(folder))).toEqual([]);
    },
  );
});

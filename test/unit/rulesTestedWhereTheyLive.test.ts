import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * Issue 9 item 4, kept true: every file in shared/domain holds either a rule with its test beside
 * it (`x.test.ts` next to `x.ts`), or no rule at all, listed here with why. A new rule file without
 * its test fails this test.
 */
const RULE_FREE: Record<string, string> = {
  'shared/domain/audit.ts': "types of Graph's directoryAudit record (and, with declared events, their zod shapes)",
  'shared/domain/directory/directory.ts': "types of Graph's directory objects and list queries",
  'shared/domain/errorCodes.ts':
    'the error registry, data only; every entry is tested with its wire code and status in functions/http/errorResponse.test.ts',
};

const ROOT = join(__dirname, '..', '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')
      ? [relative(ROOT, path).split('\\').join('/')]
      : [];
  });
}

const hasTestBeside = (file: string) => existsSync(join(ROOT, file.replace(/\.ts$/, '.test.ts')));

describe('rules are tested where they live (shared/domain)', () => {
  const files = sourceFiles(join(ROOT, 'shared', 'domain'));

  it('finds the domain files', () => {
    expect(files.length).toBeGreaterThan(20);
  });

  it('has a test beside every domain file that holds a rule', () => {
    expect(files.filter((f) => !RULE_FREE[f] && !hasTestBeside(f))).toEqual([]);
  });
});

import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { UsageError } from './errors';
import { runSingleUser, type StationDeps } from './station';
import type { UserResult } from './summary';
import { CsvUser, parseUsersCsv as parseCsv, UsersCsvError } from '../../shared/domain/provisioning/parseUsersCsv';

export type { CsvUser };

/** Reads `userPrincipalName,displayName` (shared/domain/provisioning/parseUsersCsv.ts); a bad CSV is a usage error. */
export function parseUsersCsv(text: string, file = 'the CSV'): CsvUser[] {
  try {
    return parseCsv(text, file);
  } catch (e) {
    throw e instanceof UsersCsvError ? new UsageError(e.message) : e;
  }
}

const csvField = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/** The outcomes CSV: `userPrincipalName,outcome,reason,methodId`. */
export function outcomesCsv(results: readonly UserResult[]): string {
  const rows = results.map((r) =>
    [r.userPrincipalName, r.outcome, r.reason ?? '', r.methodId ?? ''].map(csvField).join(','),
  );
  return ['userPrincipalName,outcome,reason,methodId', ...rows].join('\n') + '\n';
}

/** The state file: one JSON result per line, appended as each user finishes (a crash loses at most the users in flight). */
function readState(path: string): Map<string, UserResult> {
  const done = new Map<string, UserResult>();
  if (!existsSync(path)) return done;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      const r = JSON.parse(line) as UserResult;
      if (typeof r.userPrincipalName === 'string') done.set(r.userPrincipalName.toLowerCase(), r);
    } catch {
      // A half-written last line (the run was killed mid-write): that user runs again.
    }
  }
  return done;
}

/** Outcomes that are final: a rerun skips them; the rest (failures, station errors) are tried again. */
const FINAL = new Set(['provisioned', 'refusedByPolicy']);

export interface CsvRun {
  results: UserResult[];
  /** Users skipped because the state file had them finished. */
  resumed: number;
}

/**
 * Provisions the CSV's users one Graph round each (creation options, credential, POST), `concurrency`
 * at a time, recording each outcome in `statePath` so a rerun resumes where the last one stopped.
 */
export async function runCsvStation(
  users: readonly CsvUser[],
  options: { statePath: string; outcomesPath: string; concurrency: number; challengeTimeoutInMinutes: number },
  deps: StationDeps,
  defaultDisplayName: string,
): Promise<CsvRun> {
  const state = readState(options.statePath);
  const previous = users
    .map((u) => state.get(u.userPrincipalName.toLowerCase()))
    .filter((r) => r && FINAL.has(r.outcome));
  const todo = users.filter((u) => !FINAL.has(state.get(u.userPrincipalName.toLowerCase())?.outcome ?? ''));
  const results: UserResult[] = previous.filter((r): r is UserResult => !!r);
  let done = results.length;
  deps.progress.sync(done, users.length);
  let next = 0;
  const worker = async () => {
    while (next < todo.length) {
      const user = todo[next++]!;
      const result = await runSingleUser(
        user.userPrincipalName,
        options.challengeTimeoutInMinutes,
        defaultDisplayName,
        deps,
      );
      appendFileSync(options.statePath, `${JSON.stringify(result)}\n`);
      results.push(result);
      deps.progress.userDone(result);
      deps.progress.sync(++done, users.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, Math.max(1, todo.length)) }, worker));
  writeFileSync(options.outcomesPath, outcomesCsv(results));
  return { results, resumed: previous.length };
}

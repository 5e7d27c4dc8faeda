import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { UsageError } from './errors';
import { runSingleUser, type StationDeps } from './station';
import type { UserResult } from './summary';

export interface CsvUser {
  userPrincipalName: string;
  displayName: string;
}

/** One CSV field list from a line: commas split, double quotes group (`""` is a quote). */
function fields(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted && c === '"' && line[i + 1] === '"') {
      cur += '"';
      i++;
    } else if (c === '"') quoted = !quoted;
    else if (c === ',' && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out.map((f) => f.trim());
}

/** Reads `userPrincipalName,displayName` (header required, displayName optional); duplicates are kept once. */
export function parseUsersCsv(text: string, file = 'the CSV'): CsvUser[] {
  const lines = text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '');
  const header = fields(lines[0] ?? '').map((h) => h.toLowerCase());
  const upnAt = header.indexOf('userprincipalname');
  const nameAt = header.indexOf('displayname');
  if (upnAt < 0)
    throw new UsageError(`${file}: expected a header 'userPrincipalName,displayName', received '${lines[0] ?? ''}'.`);
  const seen = new Set<string>();
  const users: CsvUser[] = [];
  lines.slice(1).forEach((line, i) => {
    const row = fields(line);
    const upn = row[upnAt] ?? '';
    if (!/^[^@\s]+@[^@\s]+$/.test(upn))
      throw new UsageError(`${file} line ${i + 2}: expected a user principal name, received '${upn}'.`);
    if (seen.has(upn.toLowerCase())) return;
    seen.add(upn.toLowerCase());
    users.push({ userPrincipalName: upn, displayName: (nameAt >= 0 ? row[nameAt] : '') || upn });
  });
  return users;
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

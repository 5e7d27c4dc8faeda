/** The summary table (stdout) and the progress display (stderr: a bar on a terminal, else lines). */
import { createProgress, renderProgressBar } from '../../../cli/provision/progress';
import { formatJobFooter, mergeJobRows } from '../../../cli/provision/run';
import { formatSummary, totalsByOutcome, type UserResult } from '../../../cli/provision/summary';

const results: UserResult[] = [
  { userPrincipalName: 'carol@contoso.com', outcome: 'provisioned', reason: null, methodId: 'm-3' },
  { userPrincipalName: 'alice@contoso.com', outcome: 'provisioned', reason: null, methodId: 'm-1' },
  {
    userPrincipalName: 'bob@contoso.com',
    outcome: 'refusedByPolicy',
    reason: 'fido2KeyRestrictionViolation: blocked model',
    methodId: null,
  },
  {
    userPrincipalName: 'dave@contoso.com',
    outcome: 'stationError',
    reason: 'no credential sent: fido2-cred failed (exit code 1)',
    methodId: null,
  },
];

test('summary: one row per user sorted by UPN with the reason or the method id, then totals per outcome', () => {
  expect(formatSummary(results)).toBe(
    [
      'USER               OUTCOME          REASON / METHOD ID',
      '-----------------  ---------------  ' + '-'.repeat('no credential sent: fido2-cred failed (exit code 1)'.length),
      'alice@contoso.com  provisioned      m-1',
      'bob@contoso.com    refusedByPolicy  fido2KeyRestrictionViolation: blocked model',
      'carol@contoso.com  provisioned      m-3',
      'dave@contoso.com   stationError     no credential sent: fido2-cred failed (exit code 1)',
      '',
      'OUTCOME          USERS',
      '---------------  -----',
      'provisioned          2',
      'refusedByPolicy      1',
      'stationError         1',
      'total                4',
      '',
    ].join('\n'),
  );
  expect(formatSummary([])).toBe('No users were provisioned by this run.\n');
  expect(totalsByOutcome(results)[0]).toEqual(['provisioned', 2]);
});

test("job rows: the station's rows first, then the job's other users as the job reports them", () => {
  const merged = mergeJobRows(results.slice(0, 1), {
    id: 'j',
    status: 'completed',
    totalUsers: 2,
    counts: {},
    users: [
      { userPrincipalName: 'CAROL@contoso.com', state: 'provisioned', methodId: 'm-3' },
      { userPrincipalName: 'guest@fabrikam.com', state: 'skippedGuest', reason: 'guest' },
    ],
  });
  expect(merged).toEqual([
    results[0],
    { userPrincipalName: 'guest@fabrikam.com', outcome: 'skippedGuest', reason: 'guest', methodId: null },
  ]);
  expect(
    formatJobFooter({
      id: 'j',
      status: 'completed',
      totalUsers: 2,
      counts: { pending: 0, provisioned: 1, skippedGuest: 1 },
      users: [],
    }),
  ).toBe('Job j: completed, 2 users (provisioned 1, skippedGuest 1).\n');
});

test('progress bar: filled in proportion, counts per outcome, fitted to the terminal width', () => {
  const counts = new Map([
    ['provisioned', 40],
    ['refusedByPolicy', 5],
  ]);
  expect(renderProgressBar(45, 90, counts, 100)).toBe(
    `[${'#'.repeat(20)}${'-'.repeat(20)}] 45/90  provisioned 40 · refusedByPolicy 5`,
  );
  expect(renderProgressBar(0, 0, new Map(), 80)).toBe(`[${'-'.repeat(30)}] 0/1`);
  expect(renderProgressBar(45, 90, counts, 40).length).toBeLessThanOrEqual(39);
});

test('on a terminal the bar is redrawn in place (throttled) and ends with a newline', () => {
  const writes: string[] = [];
  let clock = 0;
  const progress = createProgress(
    { write: (t: string) => writes.push(t), isTTY: true, columns: 100 },
    { now: () => clock },
  );
  progress.sync(0, 3);
  clock = 200;
  progress.userDone(results[0]);
  clock = 250; // within 100 ms: not redrawn
  progress.userDone(results[2]);
  progress.note('Station stopped.');
  progress.finish();
  expect(writes.every((w) => !w.includes('carol@contoso.com'))).toBe(true);
  expect(writes.filter((w) => w.startsWith('\r\x1b[2K[')).map((w) => w.slice('\r\x1b[2K'.length))).toEqual([
    renderProgressBar(1, 3, new Map([['provisioned', 1]]), 100),
    renderProgressBar(
      2,
      3,
      new Map([
        ['provisioned', 1],
        ['refusedByPolicy', 1],
      ]),
      100,
    ),
    renderProgressBar(
      2,
      3,
      new Map([
        ['provisioned', 1],
        ['refusedByPolicy', 1],
      ]),
      100,
    ),
  ]);
  expect(writes).toContain('Station stopped.\n');
  expect(writes[writes.length - 1]).toBe('\n');
});

test('without a terminal (or for fido2-cred) one line per user, no control characters', () => {
  const writes: string[] = [];
  const progress = createProgress({ write: (t: string) => writes.push(t), isTTY: true }, { interactive: false });
  progress.sync(1, 3);
  progress.userDone(results[2]);
  progress.userDone(results[1]);
  progress.finish();
  expect(writes).toEqual([
    '[2/3] bob@contoso.com refusedByPolicy (fido2KeyRestrictionViolation: blocked model)\n',
    '[3/3] alice@contoso.com provisioned (m-1)\n',
  ]);
});

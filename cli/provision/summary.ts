/** How one user ended, as the station saw it (or as the job reported it for users the station never held). */
export interface UserResult {
  userPrincipalName: string;
  /** The server's state (provisioned, refusedByPolicy, ...) or `stationError` when nothing could be sent. */
  outcome: string;
  reason: string | null;
  methodId: string | null;
}

function table(header: string[], rows: string[][], alignRight: boolean[] = []): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) =>
        i === cells.length - 1 && !alignRight[i]
          ? cell
          : alignRight[i]
            ? cell.padStart(widths[i])
            : cell.padEnd(widths[i]),
      )
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** Users per outcome, most frequent first (ties by name). */
export function totalsByOutcome(results: readonly UserResult[]): Array<[string, number]> {
  const totals = new Map<string, number>();
  for (const r of results) totals.set(r.outcome, (totals.get(r.outcome) ?? 0) + 1);
  return [...totals].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/**
 * The end-of-run report for stdout: one row per user (UPN, outcome, the reason or else the new
 * method's id), then the number of users per outcome and the total.
 */
export function formatSummary(results: readonly UserResult[]): string {
  if (results.length === 0) return 'No users were provisioned by this run.\n';
  const rows = [...results]
    .sort((a, b) => a.userPrincipalName.localeCompare(b.userPrincipalName))
    .map((r) => [r.userPrincipalName, r.outcome, r.reason ?? r.methodId ?? '']);
  const totals = totalsByOutcome(results).map(([outcome, n]) => [outcome, String(n)]);
  totals.push(['total', String(results.length)]);
  return `${table(['USER', 'OUTCOME', 'REASON / METHOD ID'], rows)}\n\n${table(['OUTCOME', 'USERS'], totals, [false, true])}\n`;
}

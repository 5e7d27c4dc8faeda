import type { UserResult } from './summary';

/** What the progress display needs from a stream (process.stderr in the CLI). */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Progress of a run, on stderr so stdout carries only the summary. */
export interface Progress {
  /** Job-wide figures from a snapshot: users finished (by anyone) and users in the job. */
  sync(done: number, total: number): void;
  userDone(result: UserResult): void;
  /** A message that must not be overwritten by the bar. */
  note(message: string): void;
  finish(): void;
}

const BAR_CHARS = { full: '#', empty: '-' };

/** `[#####-----]  45/200  provisioned 40 · refusedByPolicy 5` fitted to `width` columns. */
export function renderProgressBar(
  done: number,
  total: number,
  counts: ReadonlyMap<string, number>,
  width = 80,
): string {
  const shownTotal = Math.max(total, done, 1);
  const barWidth = Math.max(10, Math.min(40, width - 50));
  const filled = Math.round((done / shownTotal) * barWidth);
  const tally = [...counts].map(([outcome, n]) => `${outcome} ${n}`).join(' · ');
  const text = `[${BAR_CHARS.full.repeat(filled)}${BAR_CHARS.empty.repeat(barWidth - filled)}] ${String(done).padStart(String(shownTotal).length)}/${shownTotal}${tally ? `  ${tally}` : ''}`;
  return text.length > width - 1 ? `${text.slice(0, width - 2)}…` : text;
}

/** One line per finished user, for logs and pipes. */
export function formatProgressLine(done: number, total: number, result: UserResult): string {
  const detail = result.reason ?? result.methodId;
  return `[${done}/${Math.max(total, done)}] ${result.userPrincipalName} ${result.outcome}${detail ? ` (${detail})` : ''}`;
}

/**
 * A redrawn bar when `stream` is a terminal and `interactive` is not false (the fido2-cred PIN prompt
 * shares the terminal, so it asks for lines); otherwise one line per user.
 */
export function createProgress(
  stream: ProgressStream,
  options: { interactive?: boolean; now?: () => number } = {},
): Progress {
  const bar = stream.isTTY === true && options.interactive !== false;
  const now = options.now ?? Date.now;
  const counts = new Map<string, number>();
  let done = 0;
  let total = 0;
  let drawnAt = 0;
  let drawn = false;

  const draw = (force = false) => {
    if (!bar || (!force && now() - drawnAt < 100)) return;
    drawnAt = now();
    drawn = true;
    stream.write(`\r\x1b[2K${renderProgressBar(done, total, counts, stream.columns || 80)}`);
  };
  const clear = () => {
    if (bar && drawn) stream.write('\r\x1b[2K');
  };

  return {
    sync(finished, jobTotal) {
      total = jobTotal;
      done = Math.max(done, finished);
      draw();
    },
    userDone(result) {
      done += 1;
      counts.set(result.outcome, (counts.get(result.outcome) ?? 0) + 1);
      if (bar) draw();
      else stream.write(`${formatProgressLine(done, total, result)}\n`);
    },
    note(message) {
      clear();
      stream.write(`${message}\n`);
      draw(true);
    },
    finish() {
      if (!bar) return;
      draw(true);
      stream.write('\n');
    },
  };
}

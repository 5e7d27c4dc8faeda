/** Minimal leveled logger for the local host; never given tokens or secrets. */
export type LogLevel = 'trace' | 'debug' | 'information' | 'warning' | 'error' | 'critical' | 'none';

export interface Logger {
  log(level: LogLevel, ...args: unknown[]): void;
  debug(...args: unknown[]): void;
  info(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

const RANK: Record<string, number> = {
  trace: 0,
  debug: 1,
  information: 2,
  info: 2,
  warning: 3,
  warn: 3,
  error: 4,
  critical: 5,
  none: 6,
};

export function createLogger(
  minimum: string,
  write: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): Logger {
  const min = RANK[minimum] ?? 2;
  const log = (level: LogLevel, ...args: unknown[]) => {
    if ((RANK[level] ?? 2) < min || level === 'none') return;
    const text = args
      .map((a) => (a instanceof Error ? (a.stack ?? a.message) : typeof a === 'string' ? a : JSON.stringify(a)))
      .join(' ');
    write(`${new Date().toISOString()} ${level.padEnd(11)} ${text}`);
  };
  return {
    log,
    debug: (...a) => log('debug', ...a),
    info: (...a) => log('information', ...a),
    error: (...a) => log('error', ...a),
  };
}

import { StoreUnavailableError } from '../../domain/errors';

/*
 * SQLite reports a write lock it could not get within `busy_timeout` (database.ts; SQLite's busy
 * handler already retries with growing sleeps until then) as SQLITE_BUSY, and a lock held within
 * the same connection's shared cache as SQLITE_LOCKED. Both mean "try again shortly": the statement
 * did not run, a transaction was rolled back whole, so nothing was half-written.
 */
const UNAVAILABLE = /^SQLITE_(BUSY|LOCKED)(_|$)/;

/** Seconds a client should wait before retrying after a busy store. */
export const SQLITE_RETRY_AFTER_SECONDS = 1;

/** better-sqlite3's SqliteError carries SQLite's extended result code name in `code`. */
export function translateSqliteError(error: unknown): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && UNAVAILABLE.test(code)) {
    return new StoreUnavailableError(
      'sqlite',
      SQLITE_RETRY_AFTER_SECONDS,
      `${code}: the database file is locked by another writer`,
      { cause: error },
    );
  }
  return error;
}

import { Page } from '../domain/directory/directory';
import { SignInFilter } from '../domain/signIns/parseSignInFilter';
import { SignInRecord } from '../domain/signIns/signInRecord';

/** A page request on the sign-in log: the filter, a page size and the cursor of the previous page. */
export interface SignInQuery extends SignInFilter {
  top: number;
  after?: string;
}

/** Sign-ins of one AAGUID since a given instant: errorCode 0, and every other. */
export interface SignInCounts {
  aaGuid: string;
  succeeded: number;
  refused: number;
}

/**
 * The sign-in log (Graph's auditLogs/signIns): one record per attempt, newest first, kept for
 * SIGNIN_LOG_RETENTION_DAYS (Cosmos DB: a `ttl` on every document; SQLite: `purgeOlderThan`).
 */
export interface SignInLogRepository {
  /** Appends a record; appending the same id twice keeps one. */
  append(record: SignInRecord): Promise<void>;
  list(query: SignInQuery): Promise<Page<SignInRecord>>;
  /** Counts per AAGUID (lower case, as stored) of sign-ins at or after `from`; AAGUIDs without any are left out. */
  countByAaguid(aaGuids: readonly string[], from: string): Promise<SignInCounts[]>;
  /** Removes records created before `before` (ISO 8601); returns how many. */
  purgeOlderThan(before: string): Promise<number>;
}

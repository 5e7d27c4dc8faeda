import { Page } from '../../domain/directory/directory';
import { parseSignInFilter } from '../../domain/signIns/parseSignInFilter';
import { SignInRecord } from '../../domain/signIns/signInRecord';
import { Clock } from '../../ports/clock.port';
import { SignInLogRepository } from '../../ports/signInLog.port';

const DAY_MS = 24 * 60 * 60 * 1000;

/** A page request on the sign-in log as Graph's auditLogs/signIns takes it. */
export interface SignInListRequest {
  filter?: string;
  top: number;
  skipToken?: string;
}

/** Reading and trimming the sign-in log (RecordedSignIn writes it). */
export class SignInLogService {
  constructor(
    private readonly log: SignInLogRepository,
    private readonly clock: Clock,
    /** SIGNIN_LOG_RETENTION_DAYS. */
    readonly retentionDays: number,
  ) {}

  /**
   * One page, newest first.
   * @throws DomainError badRequest when `$filter` is outside the supported subset (parseSignInFilter).
   */
  list(request: SignInListRequest): Promise<Page<SignInRecord>> {
    return this.log.list({ ...parseSignInFilter(request.filter), top: request.top, after: request.skipToken });
  }

  /** The start of the retention window: records before it are purged (and not counted by reports). */
  windowStart(): string {
    return new Date(this.clock.now().getTime() - this.retentionDays * DAY_MS).toISOString();
  }

  /** Removes records older than the retention window (SQLite; Cosmos DB's TTL does it there too). */
  purgeExpired(): Promise<number> {
    return this.log.purgeOlderThan(this.windowStart());
  }
}

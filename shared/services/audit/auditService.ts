import { AuditRecord } from '../../domain/audit';
import { Page } from '../../domain/directory/directory';
import { parseAuditFilter } from '../../domain/parseAuditFilter';
import { AuditRepository } from '../../ports/audit.port';

/** A page request on the audit log as Graph's directoryAudits takes it. */
export interface AuditListRequest {
  /** Graph's `$filter` on activityDateTime (`ge`/`le`/`gt`/`lt`, joined by `and`). */
  filter?: string;
  top: number;
  /** The cursor of a previous page's nextLink. */
  skipToken?: string;
}

/** Reads the audit log for administrators (the log is written by the services that make each change). */
export class AuditService {
  constructor(private readonly audit: AuditRepository) {}

  /**
   * One page of the audit log, newest first.
   * @throws DomainError from parseAuditFilter when `$filter` is not a supported activityDateTime range.
   */
  async list(request: AuditListRequest): Promise<Page<AuditRecord>> {
    return this.audit.list({ ...parseAuditFilter(request.filter), top: request.top, after: request.skipToken });
  }
}

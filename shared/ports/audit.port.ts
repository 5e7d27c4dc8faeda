import { AuditRecord } from '../domain/audit';
import { Page } from '../domain/directory/directory';

export interface AuditQuery {
  /** Inclusive lower bound on activityDateTime (ISO 8601). */
  from?: string;
  /** Exclusive upper bound on activityDateTime (ISO 8601). */
  to?: string;
  top: number;
  /** Cursor from a previous page. */
  after?: string;
}

/** Append-only audit log; newest first. */
export interface AuditRepository {
  append(record: AuditRecord): Promise<void>;
  list(query: AuditQuery): Promise<Page<AuditRecord>>;
}

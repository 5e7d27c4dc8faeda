import { AuditRecord } from '../domain/audit';

/**
 * Reads the audit log in write order, for the relay that publishes it as events. The position is
 * kept per relay, so a restart resumes where publishing stopped (at least once).
 */
export interface OutboxRepository {
  /** Records written after `cursor` (undefined: from the start), oldest first, and the new cursor. */
  readAfter(cursor: string | undefined, top: number): Promise<{ records: AuditRecord[]; cursor: string | undefined }>;
  getCursor(relay: string): Promise<string | undefined>;
  setCursor(relay: string, cursor: string): Promise<void>;
}

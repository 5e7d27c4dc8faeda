import { AuditRecord } from '../domain/audit';

/**
 * How the outbox reaches the bus: a poller over SQLite's ordered audit table, a query over the Cosmos
 * audit container (the local runtime on Cosmos), or the Cosmos change-feed trigger (Azure).
 */
export type RelayKind = 'sqlite-poller' | 'cosmos-query' | 'cosmos-changefeed';

/**
 * Reads the audit log in write order, for the relay that publishes it as events. The position is
 * kept per relay, so a restart resumes where publishing stopped (at least once).
 */
export interface OutboxRepository {
  /** Which relay reads this outbox (reported by /health). */
  readonly relayKind: Exclude<RelayKind, 'cosmos-changefeed'>;
  /**
   * Records written after `cursor` (undefined: from the start), in publishing order, and the cursor
   * to store once they are published. The cursor is opaque to callers: a sequence number on SQLite,
   * a timestamp and the ids published around it on Cosmos DB.
   */
  readAfter(cursor: string | undefined, top: number): Promise<{ records: AuditRecord[]; cursor: string | undefined }>;
  getCursor(relay: string): Promise<string | undefined>;
  setCursor(relay: string, cursor: string): Promise<void>;
}

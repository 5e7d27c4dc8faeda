import { AuditRecord } from '../../domain/audit';
import { eventFromAudit } from '../../domain/events/eventFromAudit';
import { EventBus } from '../../ports/eventBus.port';
import { RelayHealth } from './relayHealth';

/**
 * The relay core, shared by every way the outbox reaches the bus (the local poller over SQLite or
 * Cosmos DB, the Azure change-feed trigger): it maps audit records to their domain events and
 * publishes them in the order given, one event per record id. The event id is the record id, so a
 * record handed over twice (at-least-once sources) is the same event twice and the bus dedupes it.
 * It throws when the bus refuses: the caller counts the failure, keeps its position and hands the
 * records again.
 */
export class OutboxPublisher {
  constructor(
    private readonly bus: EventBus,
    private readonly source: string,
    readonly health: RelayHealth,
  ) {}

  /** Publishes the records (in their order, duplicates of an id dropped); returns how many records. */
  async publish(records: readonly AuditRecord[]): Promise<number> {
    const seen = new Set<string>();
    const unique = records.filter((r) => !seen.has(r.id) && !!seen.add(r.id));
    if (unique.length === 0) return 0;
    // An old record of no declared type publishes nothing (legacyEventTypeFromDisplayText); its position still moves.
    const events = unique.flatMap((r) => eventFromAudit(r, this.source) ?? []);
    if (events.length > 0) await this.bus.publish(events);
    this.health.published(unique[unique.length - 1].activityDateTime);
    return unique.length;
  }
}

/**
 * Write order for a batch whose source gives none (the change feed orders per partition only, and the
 * audit container is partitioned by record id): by activityDateTime, the writer's clock. The sort is
 * stable, so records of the same millisecond keep the order they came in.
 */
export function inWriteOrder<T extends Pick<AuditRecord, 'activityDateTime' | 'id'>>(records: readonly T[]): T[] {
  return [...records].sort((a, b) =>
    a.activityDateTime < b.activityDateTime ? -1 : a.activityDateTime > b.activityDateTime ? 1 : 0,
  );
}

import { Container } from '@azure/cosmos';
import { AuditRecord } from '../../domain/audit';
import { OutboxRepository } from '../../ports/outbox.port';
import { z } from '../../schemas/zod';
import { CosmosDocument, readDocument, toDomainValue } from './documents.cosmos';

/**
 * Seconds re-read behind the newest published `_ts` on every pass. It must exceed the clock skew
 * between partitions plus replication lag plus the 1 s resolution of `_ts` plus one pass (below):
 * ten seconds is generous for all of them (skew and lag are milliseconds in one region).
 */
export const OVERLAP_SECONDS = 10;
/** A pass stops fetching pages after this long, so its own length stays well inside the overlap. */
const PASS_BUDGET_MS = 3000;
/** Documents per page of the relay's query. */
const PAGE_SIZE = 500;
/** Cosmos DB helper property of audit documents (see audit.cosmos.ts). */
const SORT_KEY = 'sortKey';

/**
 * The persisted position: the newest `_ts` published and the ids published in the overlap window
 * behind it (id → `_ts`), so a re-read publishes each record once.
 */
const Cursor = z.object({
  v: z.literal(1),
  ts: z.number().int().nonnegative(),
  published: z.record(z.string(), z.number().int()),
});
type Cursor = z.infer<typeof Cursor>;

const START: Cursor = { v: 1, ts: 0, published: {} };

function parseCursor(cursor: string | undefined): Cursor {
  if (cursor === undefined) return START;
  const parsed = Cursor.safeParse(JSON.parse(cursor));
  if (!parsed.success)
    throw new Error(`Expected a Cosmos DB outbox cursor {v: 1, ts, published}, received ${cursor}`, {
      cause: parsed.error,
    });
  return parsed.data;
}

/** A document read from the outbox container, with the record it stands for. */
type OutboxEntry = { id: string; _ts: number; record: AuditRecord };

/** Audit documents are audit records plus the sort key. */
const auditRecordOf = (doc: CosmosDocument): AuditRecord | undefined =>
  typeof doc.activityDateTime === 'string' ? toDomainValue<AuditRecord>(doc, [SORT_KEY]) : undefined;

/**
 * The audit container read as an outbox by the local runtime (cosmosdb-server and the emulator have
 * no usable change feed; on Azure the change-feed trigger reads it instead).
 *
 * Why `_ts` with an overlap window, and not a sequence number: a sequence allocated at write time
 * (a counter document updated with an ETag compare-and-swap) is monotonic, but not gap-safe. Two
 * writers take 10 and 11; 11 commits first; a relay that moves past 11 never sees 10, and a relay
 * that waits for 10 cannot tell a slow writer from a crashed one. It also costs every write two more
 * round trips on one hot document. `_ts` is set by the server at commit (seconds), and a record
 * becomes visible to queries at about that time. So a record not seen by a pass has a `_ts` no
 * older than that pass's start minus clock skew and replication lag. Each pass re-reads from
 * `newest published _ts − OVERLAP_SECONDS`, skips the ids already published in that window (kept in
 * the cursor), and passes are bounded in time, so a late-visible record always falls inside the next
 * window: none is skipped, none is published twice by the relay (the bus dedupes by event id anyway).
 * Audit documents are only ever created, never updated, so `_ts` is the commit time of the record.
 * Records are handed over by `_ts`, and within a pass by the writer's activityDateTime.
 *
 * Limits: the cursor lists the ids of the last ten seconds (a document holds 2 MB, some 40 000 ids),
 * and each pass re-reads that window: it is sized for one service's rate of changes, not for bulk
 * imports of tens of thousands of records a second.
 */
export class CosmosOutboxRepository implements OutboxRepository {
  readonly relayKind = 'cosmos-query';

  constructor(
    private readonly audit: Container,
    /** Holds the cursor documents (`outboxCursor-<relay>`), partitioned by id. */
    private readonly meta: Container,
    /** The outbox record a document stands for (the sign-in log maps its records); undefined skips it. */
    private readonly recordOf: (doc: CosmosDocument) => AuditRecord | undefined = auditRecordOf,
  ) {}

  async readAfter(
    cursor: string | undefined,
    top: number,
  ): Promise<{ records: AuditRecord[]; cursor: string | undefined }> {
    const state = parseCursor(cursor);
    const since = Math.max(0, state.ts - OVERLAP_SECONDS);
    const iterator = this.audit.items.query<CosmosDocument>(
      {
        query: 'SELECT * FROM c WHERE c._ts >= @since ORDER BY c._ts ASC',
        parameters: [{ name: '@since', value: since }],
      },
      { maxItemCount: PAGE_SIZE },
    );
    const started = Date.now();
    const fresh = new Map<string, OutboxEntry>();
    do {
      const { resources } = await iterator.fetchNext();
      for (const doc of resources) {
        if (typeof doc._ts !== 'number' || Object.hasOwn(state.published, doc.id)) continue;
        const record = this.recordOf(doc);
        if (record) fresh.set(doc.id, { id: doc.id, _ts: doc._ts, record });
      }
    } while (iterator.hasMoreResults() && fresh.size < top && Date.now() - started <= PASS_BUDGET_MS);
    const complete = !iterator.hasMoreResults();
    let batch = [...fresh.values()];
    if (!complete && batch.length > 0) {
      // The newest second may go on in the next page: leave it whole for the next pass, so records
      // of one second are ordered together (unless the batch is that second alone).
      const newest = batch[batch.length - 1]._ts;
      const older = batch.filter((d) => d._ts < newest);
      if (older.length > 0) batch = older;
    }
    if (batch.length === 0) return { records: [], cursor };

    const ts = Math.max(state.ts, ...batch.map((d) => d._ts));
    const published = Object.fromEntries(
      [...Object.entries(state.published), ...batch.map((d) => [d.id, d._ts] as const)].filter(
        ([, at]) => at >= ts - OVERLAP_SECONDS,
      ),
    );
    // Stable sort: `_ts` order from the query, the writer's clock within a pass.
    batch.sort((a, b) =>
      a.record.activityDateTime < b.record.activityDateTime
        ? -1
        : a.record.activityDateTime > b.record.activityDateTime
          ? 1
          : 0,
    );
    return {
      records: batch.map((d) => d.record),
      cursor: JSON.stringify({ v: 1, ts, published } satisfies Cursor),
    };
  }

  async getCursor(relay: string): Promise<string | undefined> {
    const doc = await readDocument(this.meta, cursorId(relay));
    return typeof doc?.cursor === 'string' ? doc.cursor : undefined;
  }

  async setCursor(relay: string, cursor: string): Promise<void> {
    await this.meta.items.upsert({ id: cursorId(relay), cursor });
  }
}

const cursorId = (relay: string) => `outboxCursor-${relay}`;

import { Container, SqlParameter } from '@azure/cosmos';
import { Page } from '../../domain/directory/directory';
import { aaGuidOf, SignInRecord } from '../../domain/signIns/signInRecord';
import { signInOutboxRecord } from '../../domain/signIns/signInOutboxRecord';
import { SignInCounts, SignInLogRepository, SignInQuery } from '../../ports/signInLog.port';
import {
  assertPageSize,
  CosmosDocument,
  deleteDocuments,
  isStatus,
  queryAll,
  toDomainValue,
  whereClause,
} from './documents.cosmos';

/** Helper properties of sign-in documents: the sort key, the lower-case UPN and AAGUID, the TTL. */
const HELPERS = ['sortKey', 'upnLower', 'aaGuid', 'ttl'] as const;

/**
 * The sign-in log container, partitioned by record id (append is a point write; listing is a rare,
 * cross-partition read, as for the audit log). Every document carries `ttl` =
 * SIGNIN_LOG_RETENTION_DAYS (the container has `defaultTtl: -1`), so Cosmos DB expires them itself;
 * a changed setting applies to records written from then on.
 */
export class CosmosSignInLogRepository implements SignInLogRepository {
  constructor(
    private readonly container: Container,
    private readonly retentionSeconds: number,
  ) {}

  async append(record: SignInRecord): Promise<void> {
    try {
      await this.container.items.create({
        ...record,
        sortKey: `${record.createdDateTime}|${record.id}`,
        upnLower: record.userPrincipalName?.toLowerCase() ?? null,
        aaGuid: aaGuidOf(record)?.toLowerCase() ?? null,
        ttl: this.retentionSeconds,
      });
    } catch (e) {
      if (!isStatus(e, 409)) throw e; // the same record again (a retry): already there
    }
  }

  async list(query: SignInQuery): Promise<Page<SignInRecord>> {
    assertPageSize(query.top);
    const where: string[] = [];
    const parameters: SqlParameter[] = [{ name: '@top', value: query.top + 1 }];
    const add = (clause: string, name: string, value: string | number) => {
      where.push(clause);
      parameters.push({ name, value });
    };
    if (query.from) add('c.createdDateTime >= @from', '@from', query.from);
    if (query.to) add('c.createdDateTime < @to', '@to', query.to);
    if (query.userPrincipalName !== undefined) add('c.upnLower = @upn', '@upn', query.userPrincipalName.toLowerCase());
    if (query.errorCode !== undefined) add('c.status.errorCode = @code', '@code', query.errorCode);
    if (query.after) add('c.sortKey < @after', '@after', query.after);
    const docs = await queryAll<CosmosDocument>(
      this.container,
      `SELECT TOP @top * FROM c ${whereClause(where)} ORDER BY c.sortKey DESC`,
      parameters,
    );
    const page = docs.slice(0, query.top);
    return {
      items: page.map((d) => toDomainValue<SignInRecord>(d, HELPERS)),
      next: docs.length > query.top ? String(page[page.length - 1].sortKey) : undefined,
    };
  }

  /** One aggregate query per AAGUID (cosmosdb-server and cross-partition queries have no GROUP BY to lean on). */
  async countByAaguid(aaGuids: readonly string[], from: string): Promise<SignInCounts[]> {
    const counts = await Promise.all(
      [...new Set(aaGuids.map((a) => a.toLowerCase()))].sort().map(async (aaGuid) => {
        const [row] = await queryAll<{ succeeded?: number; refused?: number }>(
          this.container,
          'SELECT SUM(c.status.errorCode = 0 ? 1 : 0) AS succeeded, SUM(c.status.errorCode = 0 ? 0 : 1) AS refused FROM c WHERE c.aaGuid = @a AND c.createdDateTime >= @from',
          [
            { name: '@a', value: aaGuid },
            { name: '@from', value: from },
          ],
        );
        return { aaGuid, succeeded: row?.succeeded ?? 0, refused: row?.refused ?? 0 };
      }),
    );
    return counts.filter((c) => c.succeeded + c.refused > 0);
  }

  /** TTL does this on Cosmos DB; the query serves servers without TTL (cosmosdb-server, the emulator's tests). */
  async purgeOlderThan(before: string): Promise<number> {
    const ids = await queryAll<string>(this.container, 'SELECT VALUE c.id FROM c WHERE c.createdDateTime < @before', [
      { name: '@before', value: before },
    ]);
    return deleteDocuments(
      this.container,
      ids.map((id) => ({ id, partitionKey: id })),
    );
  }
}

/** A sign-in document as its outbox record (`signIn.recorded`), for the outbox relay over the signIns container. */
export const signInOutboxRecordOf = (doc: CosmosDocument) =>
  typeof doc.createdDateTime === 'string' ? signInOutboxRecord(toDomainValue<SignInRecord>(doc, HELPERS)) : undefined;

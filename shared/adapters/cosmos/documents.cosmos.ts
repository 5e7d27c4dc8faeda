import { Container, SqlParameter, SqlQuerySpec } from '@azure/cosmos';

/** Properties Cosmos DB adds to every stored document; never part of a domain value. */
const SYSTEM_FIELDS = ['_rid', '_self', '_etag', '_attachments', '_ts', '_lsn'] as const;

/** A document as Cosmos DB returns it: the stored properties plus the system ones. */
export type CosmosDocument = Record<string, unknown> & { id: string; _etag?: string; _ts?: number };

/**
 * The domain value of a stored document: drops the system properties and the adapter's own helper
 * properties (lower-case search copies, sort keys, TTL), so what is read deep-equals what was written.
 */
export function toDomainValue<T>(doc: CosmosDocument, helperFields: readonly string[] = []): T {
  const value: Record<string, unknown> = { ...doc };
  for (const field of [...SYSTEM_FIELDS, ...helperFields]) delete value[field];
  return value as T;
}

/** The ETag of a document read or written; Cosmos always sets it, so its absence is a bug. */
export function etagOf(doc: { _etag?: unknown } | null | undefined): string {
  const etag = doc?._etag;
  if (typeof etag !== 'string')
    throw new Error(`Expected a Cosmos DB document with an _etag, received ${JSON.stringify(doc)}`);
  return etag;
}

/** The HTTP status of a Cosmos DB error (the SDK throws ErrorResponse with a numeric `code`). */
export function cosmosStatus(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** True when the error is a Cosmos DB response with that HTTP status (409 conflict, 412 precondition failed...). */
export const isStatus = (error: unknown, status: number) => cosmosStatus(error) === status;

/** Reads a document by id and partition key; null when there is none (404 is an answer, not an error). */
export async function readDocument(
  container: Container,
  id: string,
  partitionKey: string = id,
): Promise<CosmosDocument | null> {
  const { resource, statusCode } = await container.item(id, partitionKey).read<CosmosDocument>();
  if (statusCode === 404 || !resource) return null;
  return resource;
}

/** Deletes a document; false when it was already gone. `ifMatch` makes the delete conditional. */
export async function deleteDocument(
  container: Container,
  id: string,
  partitionKey: string = id,
  ifMatch?: string,
): Promise<boolean> {
  try {
    await container
      .item(id, partitionKey)
      .delete(ifMatch ? { accessCondition: { type: 'IfMatch', condition: ifMatch } } : undefined);
    return true;
  } catch (e) {
    if (isStatus(e, 404)) return false;
    throw e;
  }
}

/** Requests in flight at once when deleting many documents: enough to be quick, few enough not to be throttled. */
const DELETE_CONCURRENCY = 16;

/** Deletes the documents (ignoring ones already gone); returns how many this call deleted. */
export async function deleteDocuments(
  container: Container,
  keys: Array<{ id: string; partitionKey: string }>,
): Promise<number> {
  let deleted = 0;
  for (let i = 0; i < keys.length; i += DELETE_CONCURRENCY) {
    const results = await Promise.all(
      keys.slice(i, i + DELETE_CONCURRENCY).map((k) => deleteDocument(container, k.id, k.partitionKey)),
    );
    deleted += results.filter(Boolean).length;
  }
  return deleted;
}

/**
 * Deletes every document of one logical partition, whose partition key path is `/<field>` (the filter
 * repeats the partition key so that a store ignoring it still deletes only that partition).
 */
export async function deletePartition(container: Container, field: string, partitionKey: string): Promise<number> {
  const ids = await queryAll<string>(
    container,
    `SELECT VALUE c.id FROM c WHERE c.${field} = @pk`,
    [{ name: '@pk', value: partitionKey }],
    partitionKey,
  );
  return deleteDocuments(
    container,
    ids.map((id) => ({ id, partitionKey })),
  );
}

/** Runs a query to the end (callers bound it with TOP or a partition key). */
export async function queryAll<T>(
  container: Container,
  query: string,
  parameters: SqlParameter[] = [],
  partitionKey?: string,
): Promise<T[]> {
  const spec: SqlQuerySpec = { query, parameters };
  const { resources } = await container.items
    .query<T>(spec, partitionKey === undefined ? {} : { partitionKey })
    .fetchAll();
  return resources;
}

/** `WHERE a AND b` from clauses, or nothing when there are none. */
export const whereClause = (clauses: string[]) => (clauses.length ? `WHERE ${clauses.join(' AND ')}` : '');

export { assertPageSize } from '../pageSize';

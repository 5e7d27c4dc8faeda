import { randomUUID } from 'node:crypto';
import { OVERLAP_SECONDS } from '../../shared/adapters/cosmos/outbox.cosmos';
import { createCosmosStore } from '../../shared/adapters/cosmos/store.cosmos';
import { Store } from '../../shared/ports/store.port';
import { CosmosTestServer, startCosmosServer } from '../support/cosmosServer';
import { Fixtures, idsOf } from './storeContract.fixtures';

/*
 * What the outbox contract cannot show for Cosmos DB: `_ts` is set by the server at commit with a
 * one-second resolution, and a record can become visible after a newer one was already published
 * (a slower writer, another partition's clock). cosmosdb-server runs in this process and stamps
 * `_ts` from Date.now(), so a spy on Date.now() writes such a late, older record.
 */
describe('Cosmos DB outbox: records visible late (cosmosdb-server)', () => {
  let server: CosmosTestServer;
  let store: Store;
  const data = new Fixtures();

  beforeAll(async () => {
    server = await startCosmosServer();
  });
  beforeEach(async () => {
    store = await createCosmosStore({
      endpoint: server.endpoint,
      key: server.key,
      databaseId: `outbox-${randomUUID()}`,
    });
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await store.close();
  });
  afterAll(async () => {
    await server.close();
  });

  /** Appends a record as if the server had committed it `secondsAgo` in the past. */
  async function appendCommittedAgo(secondsAgo: number, record = data.audit(`Committed ${secondsAgo} s ago`)) {
    const now = Date.now();
    const spy = jest.spyOn(Date, 'now').mockReturnValue(now - secondsAgo * 1000);
    try {
      await store.audit.append(record);
    } finally {
      spy.mockRestore();
    }
    return record;
  }

  it('publishes a record that commits with an older _ts after a newer one was published, and only once', async () => {
    const outbox = store.outbox!;
    expect(outbox.relayKind).toBe('cosmos-query');
    const newer = data.audit('Newer');
    await store.audit.append(newer);
    const first = await outbox.readAfter(undefined, 100);
    expect(idsOf(first.records)).toEqual([newer.id]);

    // A writer that was slower (or whose partition's clock runs behind) commits an older record now.
    const late = await appendCommittedAgo(OVERLAP_SECONDS - 3);
    const second = await outbox.readAfter(first.cursor, 100);
    expect(idsOf(second.records)).toEqual([late.id]);
    // Re-reading the overlap window publishes neither again.
    expect((await outbox.readAfter(second.cursor, 100)).records).toEqual([]);
  });

  it('hands over records of one pass in the order their writer made them, not in the order they committed', async () => {
    const older = data.audit('Made first');
    const younger = data.audit('Made second');
    await appendCommittedAgo(2, younger);
    await store.audit.append(older);
    const { records } = await store.outbox!.readAfter(undefined, 100);
    expect(idsOf(records)).toEqual([older.id, younger.id]);
  });

  it('keeps its cursor small: ids fall out of it once they are older than the overlap window', async () => {
    const outbox = store.outbox!;
    const old = await appendCommittedAgo(OVERLAP_SECONDS + 5);
    const first = await outbox.readAfter(undefined, 100);
    expect(idsOf(first.records)).toEqual([old.id]);
    const recent = data.audit('Recent');
    await store.audit.append(recent);
    const second = await outbox.readAfter(first.cursor, 100);
    expect(idsOf(second.records)).toEqual([recent.id]);
    const cursor = JSON.parse(second.cursor!) as { published: Record<string, number> };
    expect(Object.keys(cursor.published)).toEqual([recent.id]);
  });
});

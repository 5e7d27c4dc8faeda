import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCosmosStore } from '../../shared/adapters/cosmos/store.cosmos';
import { createSqliteStore } from '../../shared/adapters/sqlite/store.sqlite';
import { DomainEvent, EventBus } from '../../shared/ports/eventBus.port';
import { OutboxRepository } from '../../shared/ports/outbox.port';
import { Store } from '../../shared/ports/store.port';
import { OutboxRelay } from '../../shared/services/events/outboxRelay';
import { Fixtures } from '../contract/storeContract.fixtures';
import { CosmosTestServer, startCosmosServer } from '../support/cosmosServer';
import { recordFigure, scaled } from './figures';

const SUITE = 'faults: outbox relay';
const WRITERS = 8;
const RECORDS_PER_WRITER = scaled(25, 250);

/** Counts what reaches the bus; refuses every `failEvery`-th publish (a bus outage). */
class CountingBus implements EventBus {
  readonly kind = 'local';
  readonly counts = new Map<string, number>();
  private calls = 0;
  constructor(private readonly failEvery: number) {}
  async publish(events: DomainEvent[]): Promise<void> {
    if (++this.calls % this.failEvery === 0) throw new Error('bus outage');
    for (const e of events) this.counts.set(e.id, (this.counts.get(e.id) ?? 0) + 1);
  }
  async subscribe(): Promise<void> {}
  async deadLetters() {
    return [];
  }
  async close(): Promise<void> {}
}

/** The store's outbox, dying after a publish and before the position is stored, every `failEvery`-th time. */
function crashingBeforeCursor(outbox: OutboxRepository, failEvery: number): OutboxRepository {
  let calls = 0;
  return {
    relayKind: outbox.relayKind,
    readAfter: (cursor, top) => outbox.readAfter(cursor, top),
    getCursor: (relay) => outbox.getCursor(relay),
    setCursor: async (relay, cursor) => {
      if (++calls % failEvery === 0) throw new Error('crash before the position was stored');
      await outbox.setCursor(relay, cursor);
    },
  };
}

let cosmos: CosmosTestServer;
const dirs: string[] = [];
beforeAll(async () => {
  cosmos = await startCosmosServer();
});
afterAll(async () => {
  await cosmos.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const stores: Record<string, () => Promise<Store>> = {
  sqlite: async () => {
    const dir = mkdtempSync(join(tmpdir(), 'passkeys-relay-faults-'));
    dirs.push(dir);
    return createSqliteStore(join(dir, 'passkeys.db'));
  },
  cosmos: async () =>
    createCosmosStore({ endpoint: cosmos.endpoint, key: cosmos.key, databaseId: `relay-faults-${randomUUID()}` }),
};

describe.each(Object.keys(stores))('outbox relay under faults (%s store)', (kind) => {
  jest.setTimeout(120_000);

  it('fault: writers race while relays stop, restart, lose the bus and crash before storing their position: no record is lost', async () => {
    const store = await stores[kind]();
    const data = new Fixtures();
    const bus = new CountingBus(7);
    const outbox = crashingBeforeCursor(store.outbox!, 5);
    const written: string[] = [];
    let writing = true;
    const writers = Array.from({ length: WRITERS }, async () => {
      for (let i = 0; i < RECORDS_PER_WRITER; i++) {
        const record = data.audit(`Racing change ${i}`);
        await store.audit.append(record);
        written.push(record.id);
        await new Promise((r) => setTimeout(r, Math.random() * 3)); // writers interleave with the relays
      }
    });
    const allWritten = Promise.all(writers).then(() => {
      writing = false;
    });

    // Relays come and go while the writers run: each one polls a little, then is stopped (a restart).
    let restarts = 0;
    while (writing) {
      const relay = new OutboxRelay(outbox, bus, 'faults', 2);
      relay.start();
      await new Promise((r) => setTimeout(r, 20 + Math.floor(Math.random() * 40)));
      await relay.stop();
      restarts += 1;
    }
    await allWritten;
    const last = new OutboxRelay(outbox, bus, 'faults', 2);
    for (let i = 0; i < 20; i++) await last.drain().catch(() => undefined); // the faults still strike now and then

    const lost = written.filter((id) => !bus.counts.has(id));
    const duplicates = [...bus.counts.values()].reduce((n, c) => n + c - 1, 0);
    expect(lost).toEqual([]);
    expect(bus.counts.size).toBe(WRITERS * RECORDS_PER_WRITER);
    recordFigure(SUITE, `${kind}: records written by ${WRITERS} racing writers`, written.length);
    recordFigure(SUITE, `${kind}: relay restarts`, restarts);
    recordFigure(SUITE, `${kind}: records lost`, lost.length);
    recordFigure(
      SUITE,
      `${kind}: republished after a crash before the position was stored (deduped by event id)`,
      duplicates,
    );
    await store.close();
  });
});

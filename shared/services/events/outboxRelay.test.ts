import { AuditRecord } from '../../domain/audit';
import { DomainEvent, EventBus } from '../../ports/eventBus.port';
import { OutboxRepository } from '../../ports/outbox.port';
import { inWriteOrder, OutboxPublisher } from './outboxPublisher';
import { OutboxRelay } from './outboxRelay';
import { RelayHealth } from './relayHealth';

const record = (n: number, at = `2030-01-01T00:00:${String(n).padStart(2, '0')}.000Z`): AuditRecord => ({
  id: `rec-${n}`,
  activityDateTime: at,
  category: 'Policy',
  activityDisplayName: 'Update authentication methods policy',
  operationType: 'Update',
  loggedByService: 'Authentication Methods',
  initiatedBy: { user: null, app: { appId: 'test' } },
  targetResources: [{ id: 'fido2', displayName: null, type: 'Policy', modifiedProperties: [] }],
  result: 'success',
  resultReason: '',
  before: { n: n - 1 },
  after: { n },
});

/** A bus that records what it was given, and refuses the next `failures` publishes. */
class FakeBus implements EventBus {
  readonly kind = 'local';
  readonly batches: DomainEvent[][] = [];
  failures = 0;
  async publish(events: DomainEvent[]): Promise<void> {
    if (this.failures > 0) {
      this.failures -= 1;
      throw new Error('bus unavailable');
    }
    this.batches.push(events);
  }
  get ids() {
    return this.batches.flat().map((e) => e.id);
  }
  async subscribe(): Promise<void> {}
  async deadLetters() {
    return [];
  }
  async close(): Promise<void> {}
}

/** An outbox over an array: the cursor is the index of the next record. */
class FakeOutbox implements OutboxRepository {
  readonly relayKind = 'sqlite-poller';
  readonly records: AuditRecord[] = [];
  readonly cursors = new Map<string, string>();
  reads = 0;
  async readAfter(cursor: string | undefined, top: number) {
    this.reads += 1;
    await new Promise((r) => setTimeout(r, 1)); // a real read yields: lets two drains interleave
    const from = Number(cursor ?? 0);
    const records = this.records.slice(from, from + top);
    return { records, cursor: records.length ? String(from + records.length) : cursor };
  }
  async getCursor(relay: string) {
    return this.cursors.get(relay);
  }
  async setCursor(relay: string, cursor: string) {
    this.cursors.set(relay, cursor);
  }
}

describe('relay core (OutboxPublisher)', () => {
  it('publishes each record as its domain event, in the order given, the event id being the record id', async () => {
    const bus = new FakeBus();
    const publisher = new OutboxPublisher(bus, 'https://passkeys.example', new RelayHealth('cosmos-changefeed'));
    expect(await publisher.publish([record(2), record(1)])).toBe(2);
    expect(bus.batches).toHaveLength(1);
    expect(bus.batches[0].map((e) => [e.id, e.type, e.source])).toEqual([
      ['rec-2', 'fido2Policy.updated', 'https://passkeys.example'],
      ['rec-1', 'fido2Policy.updated', 'https://passkeys.example'],
    ]);
  });

  it('publishes a record handed twice in one batch once (at-least-once sources), and nothing for an empty batch', async () => {
    const bus = new FakeBus();
    const publisher = new OutboxPublisher(bus, 's', new RelayHealth('cosmos-changefeed'));
    expect(await publisher.publish([record(1), record(2), record(1)])).toBe(2);
    expect(bus.ids).toEqual(['rec-1', 'rec-2']);
    expect(await publisher.publish([])).toBe(0);
    expect(bus.batches).toHaveLength(1);
  });

  it('records when it published and how far behind the write that was', async () => {
    let now = Date.parse('2030-01-01T00:00:05.250Z');
    const health = new RelayHealth('cosmos-changefeed', () => now);
    await new OutboxPublisher(new FakeBus(), 's', health).publish([record(1), record(5)]);
    expect(health.status()).toMatchObject({
      lastPublishedAt: '2030-01-01T00:00:05.250Z',
      lastPublishLagMs: 250,
      consecutiveFailures: 0,
    });
    now += 1000;
    expect(health.status().lastPublishedAt).toBe('2030-01-01T00:00:05.250Z');
  });

  it.each([
    ['already in order', ['00:01', '00:02', '00:03'], ['a', 'b', 'c']],
    ['out of order', ['00:03', '00:01', '00:02'], ['b', 'c', 'a']],
    ['ties keep the order they came in', ['00:02', '00:01', '00:02'], ['b', 'a', 'c']],
  ])('puts a change-feed batch in write order: %s', (_name, times, expected) => {
    const batch = times.map((t, i) => ({ id: 'abc'[i], activityDateTime: `2030-01-01T00:${t}.000Z` }));
    expect(inWriteOrder(batch).map((r) => r.id)).toEqual(expected);
  });
});

describe('outbox poller (OutboxRelay)', () => {
  it('publishes everything in order across batches, then nothing more, and keeps its position', async () => {
    const outbox = new FakeOutbox();
    outbox.records.push(...Array.from({ length: 450 }, (_, i) => record(i + 1)));
    const bus = new FakeBus();
    const relay = new OutboxRelay(outbox, bus, 's');
    expect(await relay.drain()).toBe(450);
    expect(bus.ids).toEqual(outbox.records.map((r) => r.id));
    expect(bus.batches.map((b) => b.length)).toEqual([200, 200, 50]);
    expect(await relay.drain()).toBe(0);
    // A new relay on the same outbox (a restart) resumes from the stored position.
    outbox.records.push(record(451));
    const restarted = new OutboxRelay(outbox, bus, 's');
    expect(await restarted.drain()).toBe(1);
    expect(bus.ids.at(-1)).toBe('rec-451');
  });

  it('loses nothing when the bus refuses: the position stays, the next drain publishes, health counts the failures', async () => {
    const outbox = new FakeOutbox();
    outbox.records.push(record(1), record(2));
    const bus = new FakeBus();
    bus.failures = 2;
    const relay = new OutboxRelay(outbox, bus, 's');
    await expect(relay.drain()).rejects.toThrow('bus unavailable');
    await expect(relay.drain()).rejects.toThrow('bus unavailable');
    expect(relay.health.status().consecutiveFailures).toBe(2);
    expect(await outbox.getCursor('event-bus')).toBeUndefined();
    expect(await relay.drain()).toBe(2);
    expect(bus.ids).toEqual(['rec-1', 'rec-2']);
    expect(relay.health.status().consecutiveFailures).toBe(0);
  });

  it('runs drains one at a time: two at once publish each record once', async () => {
    const outbox = new FakeOutbox();
    outbox.records.push(record(1), record(2), record(3));
    const bus = new FakeBus();
    const relay = new OutboxRelay(outbox, bus, 's');
    const [a, b] = await Promise.all([relay.drain(), relay.drain()]);
    expect(a + b).toBe(3);
    expect(bus.ids).toEqual(['rec-1', 'rec-2', 'rec-3']);
  });

  it('says whether it runs, of which kind, and when it last polled', async () => {
    const outbox = new FakeOutbox();
    const relay = new OutboxRelay(outbox, new FakeBus(), 's', 5);
    expect(relay.health.status()).toMatchObject({ kind: 'sqlite-poller', running: false, lastPolledAt: null });
    relay.start();
    expect(relay.health.status().running).toBe(true);
    outbox.records.push(record(1));
    for (let i = 0; i < 100 && relay.health.status().lastPublishedAt === null; i++)
      await new Promise((r) => setTimeout(r, 5));
    expect(relay.health.status().lastPublishedAt).not.toBeNull();
    expect(relay.health.status().lastPolledAt).not.toBeNull();
    await relay.stop();
    expect(relay.health.status().running).toBe(false);
    const reads = outbox.reads;
    await new Promise((r) => setTimeout(r, 30));
    expect(outbox.reads).toBe(reads);
  });
});

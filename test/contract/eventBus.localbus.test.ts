import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalEventBus } from '../../shared/adapters/localbus/localEventBus';
import { describeEventBusContract, domainEvent } from './eventBusContract';

/*
 * The EventBus contract over the local bus: a fresh SQLite file per test; every bus the suite opens
 * shares it, as two processes of one installation would.
 */
describeEventBusContract(
  'local bus (SQLite)',
  async (subscriptions) => {
    const dir = mkdtempSync(join(tmpdir(), 'passkeys-localbus-'));
    const file = join(dir, 'bus.db');
    return {
      open: async () => LocalEventBus.open(file, { subscriptions, pollMs: 5, backoffMs: () => 10 }),
      dispose: async () => rmSync(dir, { recursive: true, force: true }),
    };
  },
  { maxDeliveryCount: 3 },
);

describe('local bus specifics', () => {
  it('resumes a subscription where it stopped after the process restarts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'passkeys-localbus-'));
    const file = join(dir, 'bus.db');
    try {
      const first = LocalEventBus.open(file, { subscriptions: ['s'], pollMs: 5 });
      const seen: string[] = [];
      await first.subscribe('s', async (e) => {
        seen.push(e.id);
      });
      const [a, b, c] = [domainEvent(1), domainEvent(2), domainEvent(3)];
      await first.publish([a, b]);
      for (let i = 0; i < 100 && seen.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
      await first.close();
      const second = LocalEventBus.open(file, { subscriptions: ['s'], pollMs: 5 });
      await second.publish([c]);
      await second.subscribe('s', async (e) => {
        seen.push(e.id);
      });
      for (let i = 0; i < 100 && seen.length < 3; i++) await new Promise((r) => setTimeout(r, 10));
      await second.close();
      expect(seen).toEqual([a.id, b.id, c.id]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

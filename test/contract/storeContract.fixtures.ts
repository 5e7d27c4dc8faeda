import { randomUUID } from 'node:crypto';
import { AuditRecord } from '../../shared/domain/audit';
import { Group, Page, User } from '../../shared/domain/directory/directory';
import { ConcurrencyConflictError } from '../../shared/domain/errors';
import { defaultFido2Policy, Fido2Policy } from '../../shared/domain/policy/fido2Policy';
import { StoredCredential } from '../../shared/ports/credentials.port';
import { Store } from '../../shared/ports/store.port';
import { EventTypes } from '../../shared/domain/events/eventTypes';

/** What every section of the contract suite sees: the store under test and data builders, fresh per test. */
export interface ContractContext {
  store: Store;
  data: Fixtures;
}

/** Builds domain values with unique ids and strictly increasing times (so "newest first" is well defined). */
export class Fixtures {
  private tick = 0;
  private readonly start = Date.parse('2030-01-01T00:00:00.000Z');

  /** The n-th instant of this test: one second apart. */
  time(n: number): string {
    return new Date(this.start + n * 1000).toISOString();
  }

  nextTime(): string {
    this.tick += 1;
    return this.time(this.tick);
  }

  audit(activityDisplayName = 'Contract test change'): AuditRecord {
    const id = randomUUID();
    return {
      id,
      activityDateTime: this.nextTime(),
      category: 'UserManagement',
      activityDisplayName,
      eventType: EventTypes.userUpdated,
      operationType: 'Update',
      loggedByService: 'Authentication Methods',
      initiatedBy: { user: { id: randomUUID(), userPrincipalName: 'admin@contoso.com' }, app: null },
      targetResources: [
        {
          id,
          displayName: null,
          type: 'User',
          modifiedProperties: [{ displayName: 'x', oldValue: null, newValue: '"1"' }],
        },
      ],
      result: 'success',
      resultReason: '',
      before: null,
      after: { nested: { list: [1, 'two', null] } },
    };
  }

  user(overrides: Partial<User> = {}): User {
    const id = randomUUID();
    return {
      id,
      userPrincipalName: `user-${id.slice(0, 8)}@contoso.com`,
      displayName: `User ${id.slice(0, 8)}`,
      userType: 'Member',
      accountEnabled: true,
      mail: null,
      createdDateTime: this.nextTime(),
      ...overrides,
    };
  }

  group(overrides: Partial<Group> = {}): Group {
    const id = randomUUID();
    return {
      id,
      displayName: `Group ${id.slice(0, 8)}`,
      description: null,
      securityEnabled: true,
      mailEnabled: false,
      createdDateTime: this.nextTime(),
      ...overrides,
    };
  }

  credential(userId: string, overrides: Partial<StoredCredential> = {}): StoredCredential {
    return {
      id: randomUUID().replace(/-/g, ''),
      userId,
      displayName: 'YubiKey 5',
      publicKey: 'pQECAyYgASFYIA',
      signCount: 0,
      transports: ['usb', 'nfc'],
      aaGuid: 'cb69481e-8ff7-4039-93ec-0a2729a154a8',
      model: 'YubiKey 5 Series',
      attestationLevel: 'attested',
      attestationCertificates: ['MIIC'],
      attestationFormat: 'packed',
      backupEligible: false,
      backedUp: false,
      createdDateTime: this.nextTime(),
      lastUsedDateTime: null,
      cloneWarningDateTime: null,
      reEnrolmentRequired: false,
      ...overrides,
    };
  }

  policy(overrides: Partial<Fido2Policy> = {}): Fido2Policy {
    return { ...defaultFido2Policy(), ...overrides };
  }
}

/** Every audit record in the store, newest first. */
export async function allAudit(store: Store): Promise<AuditRecord[]> {
  return (await store.audit.list({ top: 1000 })).items;
}

/** Follows `next` cursors to the end; fails instead of looping when a cursor does not advance. */
export async function collectPages<T>(fetch: (after?: string) => Promise<Page<T>>, maxPages = 50): Promise<T[][]> {
  const pages: T[][] = [];
  let after: string | undefined;
  do {
    const page = await fetch(after);
    pages.push(page.items);
    if (page.next !== undefined && page.next === after)
      throw new Error(`Cursor did not advance: received next=${page.next} twice`);
    after = page.next;
  } while (after !== undefined && pages.length < maxPages);
  if (after !== undefined) throw new Error(`Expected paging to end within ${maxPages} pages; it did not`);
  return pages;
}

export const idsOf = (items: Array<{ id: string }>) => items.map((i) => i.id);
export const sortedIds = (items: Array<{ id: string }>) => idsOf(items).sort();

export async function expectConflict(promise: Promise<unknown>, code: string): Promise<void> {
  await expect(promise).rejects.toMatchObject({ kind: 'conflict', code });
}

export async function expectStaleEtag(promise: Promise<unknown>): Promise<void> {
  await expect(promise).rejects.toBeInstanceOf(ConcurrencyConflictError);
}

/** Settles all and splits winners from losers, to assert "exactly one wins". */
export async function race<T>(attempts: Array<() => Promise<T>>): Promise<{ won: T[]; lost: unknown[] }> {
  const results = await Promise.allSettled(attempts.map((attempt) => attempt()));
  return {
    won: results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : [])),
    lost: results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : [])),
  };
}

import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditRecord } from '../../domain/auditRecords';
import { EventTypes } from '../../domain/events/eventTypes';
import { defaultFido2Policy } from '../../domain/policy/fido2Policy';
import { StoredCredential } from '../../ports/credentials.port';
import { Store } from '../../ports/store.port';
import { createSqliteStore } from './store.sqlite';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
const audit = () =>
  auditRecord({
    id: randomUUID(),
    at: new Date(),
    actor: { user: null, app: { appId: 'test' } },
    category: 'UserManagement',
    activityDisplayName: 'test',
    eventType: EventTypes.userCreated,
    operationType: 'Add',
    target: { id: 'u1', displayName: null, type: 'User' },
    before: null,
    after: null,
  });
const credential = (id: string, userId: string): StoredCredential => ({
  id,
  userId,
  displayName: 'key',
  publicKey: 'AA',
  signCount: 0,
  transports: [],
  aaGuid: '00000000-0000-0000-0000-000000000000',
  model: null,
  attestationLevel: 'notAttested',
  attestationCertificates: [],
  attestationFormat: 'none',
  backupEligible: false,
  backedUp: false,
  createdDateTime: new Date().toISOString(),
  lastUsedDateTime: null,
  cloneWarningDateTime: null,
  reEnrolmentRequired: false,
});

/**
 * Issue 10 with cluster workers: a cache here must follow writes made through another connection to
 * the file (another worker), but the writes every sign-in makes must not empty it.
 */
describe('the SQLite change signals, seen from another connection', () => {
  let dir: string;
  let here: Store;
  let there: Store;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'passkeys-signal-'));
    here = createSqliteStore(join(dir, 'passkeys.db'));
    there = createSqliteStore(join(dir, 'passkeys.db'));
    await there.directory.createUser(
      {
        id: 'u1',
        userPrincipalName: 'u1@contoso.com',
        displayName: 'U1',
        userType: 'Member',
        accountEnabled: true,
        mail: null,
        createdDateTime: new Date().toISOString(),
      },
      audit(),
    );
    await there.credentials.create(credential('c1', 'u1'), audit());
  });
  afterAll(async () => {
    await here.close();
    await there.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const signInWrites = async () => {
    await there.challenges.consume(randomUUID(), new Date(Date.now() + 60_000));
    const current = (await there.credentials.get('c1'))!;
    await there.credentials.update({ ...current.value, signCount: current.value.signCount + 1 }, current.etag);
  };

  it.each<[string, () => Promise<unknown>, { policy: boolean; passkeys: boolean }]>([
    ["a sign-in's writes (single use, sign count)", signInWrites, { policy: false, passkeys: false }],
    [
      'a policy save',
      async () => {
        const policy = await there.policies.getFido2();
        await there.policies.saveFido2(policy?.value ?? defaultFido2Policy(), {
          ifMatch: policy?.etag ?? null,
          audit: audit(),
        });
      },
      { policy: true, passkeys: false },
    ],
    [
      'a group created',
      () =>
        there.directory.createGroup(
          {
            id: randomUUID(),
            displayName: 'G',
            description: null,
            securityEnabled: true,
            mailEnabled: false,
            createdDateTime: new Date().toISOString(),
          },
          audit(),
        ),
      {
        policy: true,
        passkeys: false,
      },
    ],
    [
      'a passkey added',
      () => there.credentials.create(credential(randomUUID(), 'u1'), audit()),
      {
        policy: false,
        passkeys: true,
      },
    ],
  ])('%s', async (_name, write, moves) => {
    await nextTurn();
    const before = { policy: here.changes!.current(), passkeys: here.credentialSetChanges!.current() };
    await write();
    await nextTurn();
    expect({
      policy: here.changes!.current() !== before.policy,
      passkeys: here.credentialSetChanges!.current() !== before.passkeys,
    }).toEqual(moves);
  });

  it("this connection's own writes move the signal at once, and it is steady after", async () => {
    const before = here.credentialSetChanges!.current();
    const created = here.credentials.create(credential(randomUUID(), 'u1'), audit());
    expect(here.credentialSetChanges!.current()).not.toBe(before);
    await created;
    const after = here.credentialSetChanges!.current();
    await nextTurn();
    await signInWrites();
    await nextTurn();
    expect(here.credentialSetChanges!.current()).toBe(after);
  });
});

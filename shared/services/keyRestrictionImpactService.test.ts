import { randomUUID } from 'node:crypto';
import { auditRecord } from '../domain/auditRecords';
import { EventTypes } from '../domain/events/eventTypes';
import { applyPolicyPatch } from '../domain/policy/applyPolicyPatch';
import { defaultFido2Policy } from '../domain/policy/fido2Policy';
import { StoredCredential } from '../ports/credentials.port';
import { ADMIN_ACTOR, createWebAuthnServices, WebAuthnServices } from '../../test/support/webauthnServices';
import { KeyRestrictionImpactService } from './keyRestrictionImpactService';
import { DemoTenant } from './seedDemoTenant';

const YUBIKEY = 'cb69481e-8ff7-4039-93ec-0a2729a154a8';
const FEITIAN = '12ded745-4bed-47d4-abaa-e713f51d6393';

describe('KeyRestrictionImpactService (sqlite in memory): streams the tenant in pages', () => {
  let s: WebAuthnServices;
  beforeEach(async () => {
    s = await createWebAuthnServices();
  });
  afterEach(() => s.close());

  const add = async (userId: string, aaGuid: string, displayName: string) => {
    const credential: StoredCredential = {
      id: randomUUID().replace(/-/g, ''),
      userId,
      displayName,
      publicKey: 'pQECAyYgASFYIA',
      signCount: 0,
      transports: ['usb'],
      aaGuid,
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
    };
    const audit = auditRecord({
      id: randomUUID(),
      at: new Date(),
      actor: ADMIN_ACTOR,
      category: 'UserManagement',
      activityDisplayName: 'Add Passkey (device-bound) security key',
      eventType: EventTypes.fido2MethodRegistered,
      operationType: 'Add',
      target: { id: userId, displayName: null, type: 'User' },
      before: null,
      after: credential,
    });
    await s.store.credentials.create(credential, audit);
  };

  it('gathers each user’s passkeys across pages (page size 2), skips passkeys of deleted users, sorts by UPN', async () => {
    await add(DemoTenant.bob.id, YUBIKEY, 'bob-1');
    await add(DemoTenant.alice.id, FEITIAN, 'alice-1');
    await add(DemoTenant.bob.id, FEITIAN, 'bob-2');
    await add(DemoTenant.alice.id, YUBIKEY, 'alice-2');
    await add('99999999-0000-4000-8000-000000000009', YUBIKEY, 'orphan');
    const service = new KeyRestrictionImpactService(s.store.credentials, s.store.directory, 2);
    const current = { ...defaultFido2Policy(), state: 'enabled' as const };
    const proposed = applyPolicyPatch(current, {
      keyRestrictions: { isEnforced: true, enforcementType: 'allow', aaGuids: [YUBIKEY] },
    });
    const impact = await service.evaluate(proposed, current);
    expect(
      impact.users.map((u) => [
        u.userPrincipalName,
        u.passkeysKept.map((p) => p.displayName).sort(),
        u.passkeysBlocked.map((p) => p.displayName),
      ]),
    ).toEqual([
      [DemoTenant.alice.userPrincipalName, ['alice-2'], ['alice-1']],
      [DemoTenant.bob.userPrincipalName, ['bob-1'], ['bob-2']],
    ]);
    expect(impact.totals).toMatchObject({ users: 2, passkeys: 4, passkeysBlocked: 2, usersLockedOutByChange: 0 });
  });
});

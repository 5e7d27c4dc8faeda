import { createSqliteStore } from '../../../shared/adapters/sqlite/store.sqlite';
import { Store } from '../../../shared/ports/store.port';
import { FakeClock } from '../../support/webauthnServices';
import { ProtectedResourceService } from '../../../shared/services/strengths/protectedResourceService';
import { StrengthService } from '../../../shared/services/strengths/strengthService';

const actor = { user: { id: 'admin', userPrincipalName: 'admin@contoso.com' }, app: null };
const YUBIKEY = 'cb69481e-8ff7-4039-93ec-0a2729a154a8';
const OTHER = '2fc0579f-8113-47ea-b116-bb5a8db9202a';
const fido2Config = { appliesToCombinations: ['fido2'], allowedAAGUIDs: [YUBIKEY.toUpperCase()] };

describe('StrengthService and ProtectedResourceService (SQLite in memory)', () => {
  let store: Store;
  let strengths: StrengthService;
  let resources: ProtectedResourceService;
  beforeEach(() => {
    store = createSqliteStore(':memory:');
    const clock = new FakeClock();
    strengths = new StrengthService({ strengths: store.strengths, clock });
    resources = new ProtectedResourceService({ strengths: store.strengths, clock });
  });
  afterEach(() => store.close());

  it('stores AAGUIDs lower-case and audits every change with its declared event type', async () => {
    const s = await strengths.create(
      { displayName: 'Keys', allowedCombinations: ['fido2'], combinationConfigurations: [fido2Config] },
      actor,
    );
    expect(s.combinationConfigurations[0].allowedAAGUIDs).toEqual([YUBIKEY]);
    await strengths.update(s.id, { description: 'x' }, actor);
    await resources.put('api://hr', s.id, actor);
    const types = (await store.audit.list({ top: 10 })).items.map((r) => r.eventType);
    expect(types).toEqual([
      'protectedResource.created',
      'authenticationStrength.updated',
      'authenticationStrength.created',
    ]);
  });

  it('refuses a fido2 configuration on a strength without fido2, and removing fido2 while one exists', async () => {
    const sms = await strengths.create({ displayName: 'SMS', allowedCombinations: ['password,sms'] }, actor);
    await expect(strengths.createConfiguration(sms.id, fido2Config, actor)).rejects.toMatchObject({
      code: 'invalidCombinationConfiguration',
    });
    const keys = await strengths.create({ displayName: 'Keys', allowedCombinations: ['fido2'] }, actor);
    await strengths.createConfiguration(keys.id, fido2Config, actor);
    await expect(strengths.createConfiguration(keys.id, fido2Config, actor)).rejects.toMatchObject({
      code: 'invalidCombinationConfiguration',
    });
    await expect(strengths.updateAllowedCombinations(keys.id, ['password,sms'], actor)).rejects.toMatchObject({
      code: 'invalidCombinationConfiguration',
    });
  });

  it('refuses a resource naming no strength, and fails closed when its strength is gone', async () => {
    await expect(resources.put('api://hr', '7d718ef4-5493-4313-a52c-7401b7df3a9c', actor)).rejects.toMatchObject({
      kind: 'badRequest',
    });
    await store.strengths.putResource(
      {
        name: 'api://hr',
        authenticationStrengthId: '7d718ef4-5493-4313-a52c-7401b7df3a9c',
        createdDateTime: 'x',
        modifiedDateTime: 'x',
      },
      {
        audit: (await import('../../../shared/services/strengths/strengthAudit')).resourceAudit(
          'Add',
          new Date(),
          actor,
          null,
          {
            name: 'api://hr',
            authenticationStrengthId: 'x',
            createdDateTime: 'x',
            modifiedDateTime: 'x',
          },
        ),
      },
    );
    const requirement = await resources.requirementFor('api://hr');
    expect(() => resources.satisfiedStrengths(requirement, { aaGuid: YUBIKEY })).toThrow(/no longer exists/);
  });

  it('attack: a passkey of another model does not satisfy an AAGUID-restricted strength; a built-in requirement is met by any passkey', async () => {
    const keys = await strengths.create(
      { displayName: 'Keys', allowedCombinations: ['fido2'], combinationConfigurations: [fido2Config] },
      actor,
    );
    await resources.put('api://hr', keys.id, actor);
    await resources.put('api://wiki', '00000000-0000-0000-0000-000000000004', actor);
    const hr = await resources.requirementFor('api://hr');
    expect(() => resources.satisfiedStrengths(hr, { aaGuid: OTHER })).toThrow(/'Keys'/);
    expect(resources.satisfiedStrengths(hr, { aaGuid: YUBIKEY })).toContain(keys.id);
    expect(resources.satisfiedStrengths(await resources.requirementFor('api://wiki'), { aaGuid: OTHER })).toHaveLength(
      3,
    );
    expect(await resources.requirementFor('api://unprotected')).toBeNull();
  });
});
